//! Names from Parakey are data, and hostile data at that: a door can be called
//! `=HYPERLINK(...)`, `\x1b]8;;…` or `R&D` with a right-to-left override in it. Every place
//! that shows one to something other than the web UI (which renders text as text) passes it
//! through one of these guards first:
//!
//! - [`terminal_safe`]: command-line output. Control characters (C0, DEL, C1: escape
//!   sequences, carriage returns that overwrite a line) and the bidirectional controls that
//!   reorder what a terminal shows are removed.
//! - [`csv_field`]: every CSV field is quoted, whatever it holds, so a `;` or a tab cannot
//!   split it in a spreadsheet set to another separator; a field that a spreadsheet would
//!   read as a formula (first visible character `=`, `+`, `-`, `@`, or their full-width
//!   forms) gets a leading `'`.
//! - [`menu_label`]: tray menu items. `&` is the mnemonic marker there, so a lone `&` is
//!   doubled to show as itself; labels are cut to a readable length.
//! - [`cut`]: notification titles and bodies, cut to what a toast can show.
//!
//! Pure functions of their input; no I/O.

use std::borrow::Cow;

/// Longest tray menu label, in characters (an ellipsis included).
pub const MENU_LABEL_CHARS: usize = 60;
/// Longest notification title, in characters.
pub const NOTIFICATION_TITLE_CHARS: usize = 80;
/// Longest notification body, in characters.
pub const NOTIFICATION_BODY_CHARS: usize = 400;

/// Characters that change how a terminal, menu or toast shows the text around them.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// `s` without control and bidirectional-override characters; borrowed when it has none.
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    if s.chars().any(is_unsafe) {
        Cow::Owned(s.chars().filter(|c| !is_unsafe(*c)).collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// One CSV field: always quoted, `"` doubled, control characters removed, and a leading
/// formula character defused with `'`.
pub fn csv_field(s: &str) -> String {
    let s = terminal_safe(s);
    let formula = s.trim_start().starts_with([
        '=', '+', '-', '@', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
    ]);
    let mut out = String::with_capacity(s.len() + 3);
    out.push('"');
    if formula {
        out.push('\'');
    }
    out.push_str(&s.replace('"', "\"\""));
    out.push('"');
    out
}

/// `s` cut to at most `max_chars` characters, the last of them `…` when it was cut; control
/// characters other than line breaks removed first (a toast's body has lines).
pub fn cut(s: &str, max_chars: usize) -> String {
    let s: String = s.chars().filter(|c| *c == '\n' || !is_unsafe(*c)).collect();
    if s.chars().count() <= max_chars {
        return s;
    }
    let mut out: String = s.chars().take(max_chars.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A tray menu label: cut to [`MENU_LABEL_CHARS`], then `&` doubled so that it shows as
/// itself instead of marking the next letter as a keyboard mnemonic.
pub fn menu_label(s: &str) -> String {
    cut(&terminal_safe(s), MENU_LABEL_CHARS).replace('&', "&&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_output_loses_escapes_and_direction_overrides() {
        assert_eq!(
            terminal_safe("Front\x1b]8;;http://x\x07 door\r\u{202E}txt.exe"),
            "Front]8;;http://x doortxt.exe"
        );
        assert_eq!(terminal_safe("Ann\u{9b}31m"), "Ann31m", "C1 CSI too");
        assert!(matches!(terminal_safe("Front door"), Cow::Borrowed(_)));
    }

    #[test]
    fn every_csv_field_is_quoted_whatever_the_separator() {
        assert_eq!(csv_field("Front door"), "\"Front door\"");
        assert_eq!(csv_field("a;b"), "\"a;b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field(""), "\"\"");
    }

    #[test]
    fn formula_leading_csv_cells_are_defused() {
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        for hostile in ["+1", "-1+1", "@SUM(A1)", "  =1", "\t=1", "\u{FF1D}1"] {
            assert!(csv_field(hostile).starts_with("\"'"), "{hostile:?}");
        }
        assert_eq!(csv_field("X;=HYPERLINK(1)"), "\"X;=HYPERLINK(1)\"");
    }

    #[test]
    fn tray_labels_keep_a_lone_ampersand_and_stay_short() {
        assert_eq!(menu_label("R&D · Ann"), "R&&D · Ann");
        let long = menu_label(&"a".repeat(500));
        assert_eq!(long.chars().count(), MENU_LABEL_CHARS);
        assert!(long.ends_with('…'));
        // Cut before escaping: the cut never splits `&&`, and the limit counts shown text.
        let amps = menu_label(&"&".repeat(500));
        assert_eq!(amps.matches("&&").count(), MENU_LABEL_CHARS - 1);
    }

    #[test]
    fn notification_text_is_cut_on_a_character_boundary() {
        assert_eq!(cut("Front door", 80), "Front door");
        let cut_text = cut(&"é".repeat(1000), NOTIFICATION_BODY_CHARS);
        assert_eq!(cut_text.chars().count(), NOTIFICATION_BODY_CHARS);
        assert!(cut_text.ends_with('…'));
        assert_eq!(cut("a\u{1b}b\nc", 10), "ab\nc");
    }
}
