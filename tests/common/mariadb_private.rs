//! A MariaDB server of the test's own, started with a chosen global `sql_mode` (the shared server's mode
//! must not change under other tests). Stopped and removed when dropped.

use std::process::{Child, Command, Stdio};

/// A private `mariadbd` on a free port.
pub struct PrivateMariaDb {
    child: Child,
    /// `mysql://root@127.0.0.1:PORT`.
    pub url: String,
    _dir: tempfile::TempDir,
}

impl PrivateMariaDb {
    /// Initialises a data directory and starts the server with `sql_mode`; waits until it answers.
    pub async fn start(sql_mode: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let install = Command::new("mariadb-install-db")
            .args([
                "--no-defaults",
                "--user=root",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ])
            .arg(format!("--datadir={}", data.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("mariadb-install-db must be installed (it comes with the MariaDB server package)");
        assert!(install.success(), "mariadb-install-db failed");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("mariadbd")
            .args(["--no-defaults", "--user=root", "--bind-address=127.0.0.1", "--skip-log-bin"])
            .args(["--innodb-buffer-pool-size=16M", "--skip-name-resolve"])
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--port={port}"))
            .arg(format!("--socket={}", dir.path().join("sock").display()))
            .arg(format!("--sql-mode={sql_mode}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mariadbd must be installed");
        let server = PrivateMariaDb { child, url: format!("mysql://root@127.0.0.1:{port}"), _dir: dir };
        let started = std::time::Instant::now();
        loop {
            if sqlx::MySqlConnection::connect(&server.url).await.is_ok() {
                return server;
            }
            assert!(started.elapsed() < std::time::Duration::from_secs(60), "mariadbd did not start");
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
}

use sqlx::Connection;

impl Drop for PrivateMariaDb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
