//! llama.cpp in-process. One worker thread per loaded model owns the model and one context, and runs
//! one generation at a time: on a 2-core machine two concurrent generations only slow each other down, and
//! a single context lets consecutive requests reuse the KV cache of their common prefix (the system
//! prompt, the schema and the conversation so far), which is most of every agent turn's prompt.

use super::grammar::{CALL_OPEN, Constraint};
use super::prefix::Snapshots;
use crate::llm::LlmError;
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use llama_cpp_2::token::data::LlamaTokenData;
use llama_cpp_2::token::data_array::LlamaTokenDataArray;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// The seed of sampled (non-greedy) generations: the same request samples the same reply.
const SEED: u32 = 1234;

/// Tokens decoded per `decode` call while reading a prompt.
const BATCH: usize = 512;

/// How the engine runs a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EngineOptions {
    /// Context window in tokens (capped by what the model was trained for).
    pub context_tokens: u32,
    /// CPU threads for generation and for reading prompts.
    pub threads: u32,
}

impl Default for EngineOptions {
    fn default() -> Self {
        let threads = std::thread::available_parallelism().map(|n| n.get() as u32).unwrap_or(2);
        EngineOptions { context_tokens: 8192, threads }
    }
}

/// What the loaded model says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelFacts {
    /// `tokenizer.chat_template`, if the file has one.
    pub chat_template: Option<String>,
    /// The text of the BOS and EOS tokens, for templates that print them.
    pub bos: String,
    /// See `bos`.
    pub eos: String,
    /// The context window the engine uses.
    pub context_tokens: u32,
}

/// One generation.
#[derive(Debug)]
pub struct Job {
    /// The rendered prompt.
    pub prompt: String,
    /// What the reply may contain.
    pub constraint: Option<Constraint>,
    /// Cap on generated tokens.
    pub max_tokens: u32,
    /// Sample at this temperature (seeded, so a run is reproducible) instead of greedily.
    pub temperature: Option<f32>,
    /// The start of `prompt` that other prompts share (the system message): its state is kept and
    /// restored rather than read again (see `prefix.rs`).
    pub prefix: Option<String>,
    /// Where prefix states are saved across restarts.
    pub state_dir: Option<PathBuf>,
    /// Where the reply goes, piece by piece. Generation stops when the receiver is dropped.
    pub output: mpsc::Sender<Output>,
}

/// A piece of a generation.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// More reply text (always whole UTF-8 characters).
    Text(String),
    /// The reply is complete.
    Done(Stats),
    /// The generation failed.
    Failed(LlmError),
}

/// Counts and timings of one generation.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stats {
    /// Tokens in the prompt.
    pub prompt_tokens: u32,
    /// Of those, how many were already in the KV cache from an earlier request.
    pub cached_tokens: u32,
    /// Tokens generated.
    pub completion_tokens: u32,
    /// Time spent reading the prompt's uncached tokens.
    pub prompt_time: Duration,
    /// Time spent generating.
    pub generation_time: Duration,
}

/// A loaded model and its worker thread.
#[derive(Debug)]
pub struct Engine {
    jobs: std::sync::mpsc::Sender<Job>,
    facts: ModelFacts,
}

fn backend() -> Result<&'static LlamaBackend, LlmError> {
    static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();
    BACKEND
        .get_or_init(|| {
            // llama.cpp logs every tensor it loads and warns about harmless quirks of model files; its
            // logs go to `tracing` only when the operator asked for logs (PICOVIS_LOG).
            let wanted = std::env::var_os("PICOVIS_LOG").is_some();
            llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default().with_logs_enabled(wanted));
            LlamaBackend::init().map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| LlmError::Engine(format!("cannot start llama.cpp: {e}")))
}

impl Engine {
    /// Loads the GGUF file at `path` on a new worker thread; returns once the model is ready.
    pub fn load(path: &Path, options: EngineOptions) -> Result<Engine, LlmError> {
        let (jobs, inbox) = std::sync::mpsc::channel::<Job>();
        let (ready, loaded) = std::sync::mpsc::channel();
        let path = path.to_path_buf();
        std::thread::Builder::new()
            .name("picovis-llm".into())
            .spawn(move || worker(path, options, inbox, ready))
            .map_err(|e| LlmError::Engine(format!("cannot start the model thread: {e}")))?;
        let facts = loaded
            .recv()
            .map_err(|_| LlmError::Engine("the model thread stopped while loading".into()))??;
        Ok(Engine { jobs, facts })
    }

    /// What the model says about itself.
    pub fn facts(&self) -> &ModelFacts {
        &self.facts
    }

    /// Queues a generation; its output arrives on `job.output`.
    pub fn submit(&self, job: Job) -> Result<(), LlmError> {
        self.jobs.send(job).map_err(|_| LlmError::Engine("the model thread has stopped".into()))
    }
}

fn engine_error(context: &str, error: impl std::fmt::Display) -> LlmError {
    LlmError::Engine(format!("{context}: {error}"))
}

fn worker(
    path: PathBuf,
    options: EngineOptions,
    inbox: std::sync::mpsc::Receiver<Job>,
    ready: std::sync::mpsc::Sender<Result<ModelFacts, LlmError>>,
) {
    let loaded = (|| {
        let backend = backend()?;
        let model = LlamaModel::load_from_file(backend, &path, &LlamaModelParams::default())
            .map_err(|e| engine_error(&path.display().to_string(), e))?;
        let context_tokens = options.context_tokens.min(model.n_ctx_train().max(512));
        let threads = options.threads.max(1) as i32;
        let params = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(context_tokens))
            .with_n_batch(BATCH as u32)
            .with_n_threads(threads)
            .with_n_threads_batch(threads);
        Ok::<_, LlmError>((backend, model, params, context_tokens))
    })();
    let (backend, model, params, context_tokens) = match loaded {
        Ok(loaded) => loaded,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let mut context = match model.new_context(backend, params) {
        Ok(context) => context,
        Err(e) => {
            let _ = ready.send(Err(engine_error("cannot create a context", e)));
            return;
        }
    };
    let text = |token: LlamaToken| {
        String::from_utf8_lossy(&model.vocab().token_to_piece(token, true, None)).into_owned()
    };
    let facts = ModelFacts {
        chat_template: model.meta_val_str("tokenizer.chat_template").ok(),
        bos: text(model.vocab().bos()),
        eos: text(model.vocab().eos()),
        context_tokens,
    };
    if ready.send(Ok(facts)).is_err() {
        return;
    }
    let mut cached: Vec<LlamaToken> = Vec::new();
    let mut batch = LlamaBatch::new(BATCH, 1);
    let mut snapshots = Snapshots::new(&path);
    while let Ok(job) = inbox.recv() {
        let output = job.output.clone();
        let result = generate(&model, &mut context, &mut cached, &mut batch, &mut snapshots, job);
        let last = match result {
            Ok(stats) => Output::Done(stats),
            Err(e) => {
                // The cache may hold half a prompt: start the next request from scratch.
                context.clear_kv_cache();
                cached.clear();
                Output::Failed(e)
            }
        };
        let _ = output.blocking_send(last);
    }
}

/// How the next token is chosen: greedily (SQL wants the most likely answer, and it makes runs
/// reproducible) or with a temperature as a seeded draw, and, with a constraint, only among the tokens
/// its grammar admits.
///
/// Checking a grammar against every token of a 150,000-token vocabulary at every step is what makes
/// constrained decoding slow (seconds a token for a plan's grammar with its many alternatives). As
/// llama.cpp's own samplers do, the unconstrained choice is tried first and checked alone; only when
/// the grammar rejects it is the grammar applied to every candidate.
struct Picker {
    base: LlamaSampler,
    grammar: Option<LlamaSampler>,
    /// Chosen when no token is left (the grammar is complete).
    eos: LlamaToken,
    /// Tokens the grammar rejected as the first choice, and the time spent checking, for the logs.
    rejected: u32,
    checking: Duration,
}

impl Picker {
    fn new(
        model: &LlamaModel,
        constraint: Option<&Constraint>,
        temperature: Option<f32>,
    ) -> Result<Picker, LlmError> {
        let grammar_error = |e: &dyn std::fmt::Display| LlmError::Engine(format!("invalid grammar: {e}"));
        let base = match temperature {
            Some(t) => LlamaSampler::chain_simple([LlamaSampler::temp(t), LlamaSampler::dist(SEED)]),
            None => LlamaSampler::greedy(),
        };
        let grammar = match constraint {
            None => None,
            Some(Constraint::Whole(gbnf)) => {
                Some(LlamaSampler::grammar(model, gbnf, "root").map_err(|e| grammar_error(&e))?)
            }
            Some(Constraint::AfterTrigger(gbnf)) => {
                // Models whose vocabulary has `<tool_call>` as one special token trigger on that token;
                // others on the text.
                let opener = model.vocab().tokenize(CALL_OPEN.as_bytes(), false, true);
                let (words, tokens): (Vec<&str>, Vec<LlamaToken>) =
                    if opener.len() == 1 { (Vec::new(), opener) } else { (vec![CALL_OPEN], Vec::new()) };
                Some(
                    LlamaSampler::grammar_lazy(model, gbnf, "root", words, &tokens)
                        .map_err(|e| grammar_error(&e))?,
                )
            }
        };
        Ok(Picker { base, grammar, eos: model.vocab().eos(), rejected: 0, checking: Duration::ZERO })
    }

    /// The next token from the logits of output `index`, accepted by the grammar.
    fn pick(&mut self, context: &LlamaContext<'_>, index: i32) -> LlamaToken {
        let Some(grammar) = &mut self.grammar else { return self.base.sample(context, index) };
        let started = Instant::now();
        let mut candidates = context.token_data_array_ith(index);
        let mut first = candidates.clone();
        self.base.apply(&mut first);
        if let Some(token) = first.selected_token() {
            let logit = first.data.iter().find(|d| d.id() == token).map_or(0.0, |d| d.logit());
            let mut alone = LlamaTokenDataArray::new(vec![LlamaTokenData::new(token, logit, 0.0)], false);
            grammar.apply(&mut alone);
            if alone.data.first().is_some_and(|d| d.logit().is_finite()) {
                grammar.accept(token);
                self.base.accept(token);
                self.checking += started.elapsed();
                return token;
            }
        }
        self.rejected += 1;
        grammar.apply(&mut candidates);
        self.base.apply(&mut candidates);
        let token = candidates.selected_token().unwrap_or(self.eos);
        grammar.accept(token);
        self.base.accept(token);
        self.checking += started.elapsed();
        token
    }
}

fn generate(
    model: &LlamaModel,
    context: &mut LlamaContext<'_>,
    cached: &mut Vec<LlamaToken>,
    batch: &mut LlamaBatch,
    snapshots: &mut Snapshots,
    job: Job,
) -> Result<Stats, LlmError> {
    let vocab = model.vocab();
    let tokens = vocab.tokenize(job.prompt.as_bytes(), false, true);
    let window = context.n_ctx() as usize;
    if tokens.is_empty() {
        return Err(LlmError::Engine("empty prompt".into()));
    }
    if tokens.len() >= window {
        return Err(LlmError::ContextTooLong(format!(
            "the prompt has {} tokens and the context window {window}",
            tokens.len()
        )));
    }
    let mut picker = Picker::new(model, job.constraint.as_ref(), job.temperature)?;

    // The shared prefix, when it is long enough to be worth saving and the prompt goes on past it.
    let boundary = job.prefix.as_ref().map(|prefix| {
        let prefix = vocab.tokenize(prefix.as_bytes(), false, true);
        prefix.iter().zip(&tokens).take_while(|(a, b)| a == b).count()
    });
    let boundary = boundary.filter(|b| *b >= super::prefix::MIN_TOKENS && *b < tokens.len());
    let started = Instant::now();
    // Reuse the cached prefix; at least the last prompt token is decoded again, for its logits.
    let mut keep = cached.iter().zip(&tokens).take_while(|(a, b)| a == b).count();
    if let Some(boundary) = boundary
        && keep < boundary
        && let Some(from) = snapshots.restore(context, &tokens[..boundary], job.state_dir.as_deref())
    {
        tracing::debug!(tokens = boundary, ?from, "prompt state restored");
        cached.clear();
        cached.extend_from_slice(&tokens[..boundary]);
        keep = boundary;
    }
    keep = keep.min(tokens.len() - 1);
    if keep < cached.len() {
        context
            .clear_kv_cache_seq(Some(0), Some(keep as u32), None)
            .map_err(|e| engine_error("decoding failed", e))?;
        cached.truncate(keep);
    }
    let mut logits_at = 0;
    // Read up to the prefix's end first and save its state, then the rest.
    let save_at = boundary.filter(|b| keep < *b);
    let stops = save_at.into_iter().chain([tokens.len()]);
    let mut from = keep;
    for stop in stops {
        for (chunk_index, chunk) in tokens[from..stop].chunks(BATCH).enumerate() {
            batch.clear();
            let first = from + chunk_index * BATCH;
            for (offset, token) in chunk.iter().enumerate() {
                let position = first + offset;
                let last = position == tokens.len() - 1;
                batch
                    .add(*token, position as i32, &[0], last)
                    .map_err(|e| engine_error("decoding failed", e))?;
                if last {
                    logits_at = offset as i32;
                }
            }
            context.decode(batch).map_err(|e| engine_error("decoding failed", e))?;
            cached.extend_from_slice(chunk);
            if job.output.is_closed() {
                return Err(LlmError::Engine("cancelled".into()));
            }
        }
        if Some(stop) == save_at {
            snapshots.save(context, &tokens[..stop], job.state_dir.as_deref());
        }
        from = stop;
    }
    let prompt_time = started.elapsed();

    let started = Instant::now();
    let room = (window - tokens.len()) as u32;
    let mut pending: Vec<u8> = Vec::new();
    let mut generated = 0u32;
    while generated < job.max_tokens.min(room) {
        let token = picker.pick(context, logits_at);
        if vocab.is_eog(token) {
            break;
        }
        generated += 1;
        pending.extend(vocab.token_to_piece(token, true, None));
        let whole = match std::str::from_utf8(&pending) {
            Ok(_) => pending.len(),
            Err(e) => e.valid_up_to(),
        };
        if whole > 0 {
            let text = String::from_utf8_lossy(&pending[..whole]).into_owned();
            pending.drain(..whole);
            if job.output.blocking_send(Output::Text(text)).is_err() {
                break; // nobody is listening any more
            }
        }
        batch.clear();
        batch
            .add(token, (tokens.len() + generated as usize - 1) as i32, &[0], true)
            .map_err(|e| engine_error("decoding failed", e))?;
        context.decode(batch).map_err(|e| engine_error("decoding failed", e))?;
        cached.push(token);
        logits_at = 0;
    }
    if picker.grammar.is_some() {
        tracing::debug!(
            rejected = picker.rejected,
            checking_ms = picker.checking.as_millis() as u64,
            "grammar"
        );
    }
    if !pending.is_empty() {
        let _ = job.output.blocking_send(Output::Text(String::from_utf8_lossy(&pending).into_owned()));
    }
    Ok(Stats {
        prompt_tokens: tokens.len() as u32,
        cached_tokens: keep as u32,
        completion_tokens: generated,
        prompt_time,
        generation_time: started.elapsed(),
    })
}
