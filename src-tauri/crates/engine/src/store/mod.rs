//! The SQLite store (work in progress).
