//! The one call the shell makes into the C library: handing the heap's free pages back to
//! the system once the window is gone.
//!
//! glibc's allocator keeps what was freed in its arenas for the next allocation; closing the
//! window frees the memory GTK and WebKit's UI side held for it, but the process would keep
//! those pages. `malloc_trim(0)` returns every whole free page of every arena. Linux with
//! glibc only; elsewhere (and with musl) this does nothing.

/// Returns the allocator's free pages to the system.
#[cfg(target_env = "gnu")]
#[allow(unsafe_code)]
pub fn give_back() {
    // SAFETY: malloc_trim takes a plain integer, reads and writes only the allocator's own
    // state under the allocator's own locks, and may be called from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Returns the allocator's free pages to the system (nothing to do without glibc).
#[cfg(not(target_env = "gnu"))]
pub fn give_back() {}
