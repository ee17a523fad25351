//! `picovis serve` as a child process on a free port.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running `picovis serve`, killed on drop.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Sends SIGTERM (what systemd and `docker stop` send) and waits up to `within` for the process to
    /// exit; its exit status, or `None` if it is still running.
    pub fn terminate(&mut self, within: std::time::Duration) -> Option<std::process::ExitStatus> {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().ok()?;
        let started = std::time::Instant::now();
        while started.elapsed() < within {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `picovis serve ARGS` in `dir` (which holds its `picovis.toml`) with `env` set, and waits for
/// its address. Fails with the server's output if it exits instead.
pub fn start(dir: tempfile::TempDir, args: &[&str], env: &[(&str, &str)]) -> Result<Server, String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_picovis"))
        .args(["--data-dir", &dir.path().display().to_string(), "serve"])
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("Picovis is listening on ") {
            let base = rest.split_whitespace().next().unwrap().to_string();
            // Keep draining stderr so the server never blocks on a full pipe.
            std::thread::spawn(move || lines.for_each(drop));
            return Ok(Server { child, base, _dir: dir });
        }
        seen.push_str(&line);
        seen.push('\n');
    }
    let status = child.wait().unwrap();
    Err(format!("{status}\n{seen}"))
}
