//! The fake Parakey server (work in progress).
