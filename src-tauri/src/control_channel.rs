//! The control channel's transport, one per system: how `doorpost refresh` reaches the
//! running instance, and how the instance makes sure only its own user can.
//!
//! - Unix (Linux, macOS): a Unix socket, 0600 in a 0700 folder, and a peer whose uid is not
//!   ours is hung up on before a word is read.
//! - Windows: a named pipe whose security descriptor grants access to the current user
//!   alone (a protected DACL with one entry, the user's SID), refusing remote clients, and
//!   created as the first instance of its name (so a pipe someone else made first is an
//!   error, not a channel). Type-checked in CI, never run there.
//!
//! The protocol on top (one line in, one line out, every bound) is [`crate::control`]'s and
//! the same everywhere.

use std::path::Path;
use std::time::Duration;

pub use os::{Listener, connect};

#[cfg(unix)]
mod os {
    use std::fs::Permissions;
    use std::io;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::path::Path;
    use std::time::Duration;

    pub type Stream = tokio::net::UnixStream;
    pub type Client = std::os::unix::net::UnixStream;

    pub struct Listener {
        listener: tokio::net::UnixListener,
        uid: u32,
    }

    impl Listener {
        /// Binds the socket, private to this user, in a private folder.
        pub fn bind(endpoint: &Path) -> io::Result<Listener> {
            if let Some(dir) = endpoint.parent() {
                doorpost_engine::private_files::private_dir(dir)?;
            }
            // A socket a live instance answers on is never taken over (two instances
            // with other data directories share this path); one nobody answers on is a
            // crashed run's, and is replaced.
            if Client::connect(endpoint).is_ok() {
                return Err(io::Error::new(
                    io::ErrorKind::AddrInUse,
                    "another running Doorpost answers on this socket",
                ));
            }
            let _ = std::fs::remove_file(endpoint);
            let listener = tokio::net::UnixListener::bind(endpoint)?;
            std::fs::set_permissions(endpoint, Permissions::from_mode(0o600))?;
            let uid = std::fs::metadata(endpoint)?.uid();
            Ok(Listener { listener, uid })
        }

        /// The next connection from a process of this user; others are closed unheard.
        pub async fn accept(&mut self) -> io::Result<Stream> {
            loop {
                let (stream, _) = self.listener.accept().await?;
                if stream.peer_cred().map(|c| c.uid()).ok() == Some(self.uid) {
                    return Ok(stream);
                }
            }
        }
    }

    pub fn connect(endpoint: &Path, timeout: Duration) -> io::Result<Client> {
        let stream = Client::connect(endpoint)?;
        stream.set_read_timeout(Some(timeout))?;
        Ok(stream)
    }

    pub fn remove(endpoint: &Path) {
        let _ = std::fs::remove_file(endpoint);
    }
}

#[cfg(windows)]
mod os {
    use std::ffi::OsString;
    use std::io;
    use std::path::Path;
    use std::ptr::null_mut;
    use std::time::Duration;

    use tokio::net::windows::named_pipe::{NamedPipeServer, ServerOptions};
    use windows_sys::Win32::Foundation::{CloseHandle, HANDLE, LocalFree};
    use windows_sys::Win32::Security::Authorization::{
        ConvertSidToStringSidW, ConvertStringSecurityDescriptorToSecurityDescriptorW,
        SDDL_REVISION_1,
    };
    use windows_sys::Win32::Security::{
        GetTokenInformation, PSECURITY_DESCRIPTOR, SECURITY_ATTRIBUTES, TOKEN_QUERY, TOKEN_USER,
        TokenUser,
    };
    use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

    pub type Stream = NamedPipeServer;
    /// A blocking client: the pipe opened as a file (which has no read timeout; the
    /// server answers within its own bounds).
    pub type Client = std::fs::File;

    pub struct Listener {
        name: OsString,
        /// Only the current user: `D:P(A;;GA;;;<the user's SID>)`.
        sddl: Vec<u16>,
        /// The instance the next client connects to.
        next: NamedPipeServer,
    }

    impl Listener {
        pub fn bind(endpoint: &Path) -> io::Result<Listener> {
            let sddl = format!("D:P(A;;GA;;;{})", current_user_sid()?);
            let sddl: Vec<u16> = sddl.encode_utf16().chain([0]).collect();
            let name = endpoint.as_os_str().to_owned();
            let next = create(&name, &sddl, true)?;
            Ok(Listener { name, sddl, next })
        }

        /// The next connection; the descriptor already kept out every other user.
        pub async fn accept(&mut self) -> io::Result<Stream> {
            self.next.connect().await?;
            let fresh = create(&self.name, &self.sddl, false)?;
            Ok(std::mem::replace(&mut self.next, fresh))
        }
    }

    pub fn connect(endpoint: &Path, _timeout: Duration) -> io::Result<Client> {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(endpoint)
    }

    /// A pipe vanishes with its last handle: nothing to remove.
    pub fn remove(_endpoint: &Path) {}

    /// One instance of the pipe `name`, with the descriptor `sddl` (NUL-terminated UTF-16).
    #[allow(unsafe_code)]
    fn create(name: &OsString, sddl: &[u16], first: bool) -> io::Result<NamedPipeServer> {
        let mut descriptor: PSECURITY_DESCRIPTOR = null_mut();
        // SAFETY: `sddl` is NUL-terminated UTF-16 that outlives the call; `descriptor` is
        // a valid place for the out-pointer, and the size pointer may be null.
        let ok = unsafe {
            ConvertStringSecurityDescriptorToSecurityDescriptorW(
                sddl.as_ptr(),
                SDDL_REVISION_1,
                &mut descriptor,
                null_mut(),
            )
        };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        let mut attributes = SECURITY_ATTRIBUTES {
            nLength: size_of::<SECURITY_ATTRIBUTES>() as u32,
            lpSecurityDescriptor: descriptor,
            bInheritHandle: 0,
        };
        // SAFETY: `attributes` is a valid SECURITY_ATTRIBUTES whose descriptor was just
        // made by the system; both live until after the call, which copies what it needs.
        let server = unsafe {
            ServerOptions::new()
                .first_pipe_instance(first)
                .reject_remote_clients(true)
                .create_with_security_attributes_raw(
                    name,
                    (&raw mut attributes).cast::<core::ffi::c_void>(),
                )
        };
        // SAFETY: the descriptor was allocated by the conversion above (LocalAlloc) and is
        // not used after this.
        unsafe { LocalFree(descriptor) };
        server
    }

    /// The current user's SID as a string (`S-1-5-21-…`), from the process's token.
    #[allow(unsafe_code)]
    fn current_user_sid() -> io::Result<String> {
        let mut token: HANDLE = null_mut();
        // SAFETY: the pseudo-handle of the current process is always valid; `token` is a
        // valid place for the out-handle.
        if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
            return Err(io::Error::last_os_error());
        }
        let mut len = 0u32;
        // SAFETY: asking for the size only: a null buffer of length 0 is allowed.
        unsafe { GetTokenInformation(token, TokenUser, null_mut(), 0, &mut len) };
        // u64s: aligned for TOKEN_USER.
        let mut buffer = vec![0u64; (len as usize).div_ceil(8)];
        // SAFETY: `buffer` is writable for `len` bytes and suitably aligned.
        let ok = unsafe {
            GetTokenInformation(token, TokenUser, buffer.as_mut_ptr().cast(), len, &mut len)
        };
        let error = io::Error::last_os_error();
        // SAFETY: `token` was opened above and is closed once.
        unsafe { CloseHandle(token) };
        if ok == 0 {
            return Err(error);
        }
        // SAFETY: on success the buffer starts with a TOKEN_USER whose SID points into it.
        let sid = unsafe { (*buffer.as_ptr().cast::<TOKEN_USER>()).User.Sid };
        let mut text = null_mut();
        // SAFETY: `sid` is valid while `buffer` lives; `text` is a valid out-pointer.
        if unsafe { ConvertSidToStringSidW(sid, &mut text) } == 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: the system returned a NUL-terminated UTF-16 string (LocalAlloc'd), read
        // up to its NUL and then freed once.
        let sid = unsafe {
            let len = (0..).take_while(|&i| *text.add(i) != 0).count();
            let sid = String::from_utf16_lossy(std::slice::from_raw_parts(text, len));
            LocalFree(text.cast());
            sid
        };
        Ok(sid)
    }
}

/// Removes what a stopped instance leaves behind (a socket file), if anything.
pub fn remove(endpoint: &Path) {
    os::remove(endpoint);
}

/// How long a client waits for the answer, where the system lets it say.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);
