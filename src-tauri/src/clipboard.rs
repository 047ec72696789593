//! Copying a code: the system clipboard, cleared after a while if it still holds the code.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use zeroize::Zeroizing;

use otentik::Code;

use crate::failure::{CommandResult, Failure};

/// How long a copied code stays on the clipboard.
pub const CLEAR_AFTER: Duration = Duration::from_secs(30);

/// Owns the clipboard while the app runs (on X11 the owner serves the text to whoever pastes).
pub struct Copier {
    clipboard: Mutex<Option<arboard::Clipboard>>,
    generation: AtomicU64,
    clear_after: Duration,
}

impl Copier {
    /// A copier that clears after `clear_after`.
    pub fn new(clear_after: Duration) -> Arc<Self> {
        Arc::new(Self {
            clipboard: Mutex::new(None),
            generation: AtomicU64::new(0),
            clear_after,
        })
    }

    /// Puts `text` on the clipboard and schedules clearing it.
    pub fn copy(self: &Arc<Self>, text: Zeroizing<String>) -> CommandResult<()> {
        let generation = {
            let mut guard = self
                .clipboard
                .lock()
                .map_err(|_| unavailable("lock poisoned"))?;
            if guard.is_none() {
                *guard = Some(arboard::Clipboard::new().map_err(|e| unavailable(&e.to_string()))?);
            }
            let clipboard = guard.as_mut().ok_or_else(|| unavailable("no clipboard"))?;
            clipboard
                .set_text(text.as_str())
                .map_err(|e| unavailable(&e.to_string()))?;
            self.generation.fetch_add(1, Ordering::SeqCst) + 1
        };
        let copier = Arc::clone(self);
        std::thread::spawn(move || {
            std::thread::sleep(copier.clear_after);
            copier.clear_if_unchanged(generation, &text);
        });
        Ok(())
    }

    /// Clears the clipboard if nothing was copied since `generation` and it still holds `text`.
    fn clear_if_unchanged(&self, generation: u64, text: &str) {
        if self.generation.load(Ordering::SeqCst) != generation {
            return;
        }
        let Ok(mut guard) = self.clipboard.lock() else {
            return;
        };
        if let Some(clipboard) = guard.as_mut()
            && clipboard.get_text().is_ok_and(|now| now == text)
        {
            let _ = clipboard.clear();
        }
    }
}

fn unavailable(reason: &str) -> Failure {
    Failure::new(
        Code::Clipboard,
        format!("cannot use the clipboard: {reason}"),
    )
}
