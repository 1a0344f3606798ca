//! Key bindings, one table per screen. The footer and the `?` help popup
//! are generated from the same table, so they cannot drift from what the
//! keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One key binding of a screen.
#[derive(Debug, Clone, Copy)]
pub struct Binding<A: Copy> {
    /// Keys that trigger the action.
    pub keys: &'static [KeyCode],
    /// How the keys are written in the footer and help, e.g. "j/↓".
    pub key_label: &'static str,
    pub action: A,
    /// What the action does, in a few words.
    pub description: &'static str,
    /// The words shown after the key in the footer, shorter than the
    /// description where needed; empty to leave the binding to the help.
    pub footer: &'static str,
}

/// The action bound to a key press, if any. Keys with Control or Alt held
/// never match a plain binding.
pub fn lookup<A: Copy>(bindings: &[Binding<A>], key: &KeyEvent) -> Option<A> {
    if key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        return None;
    }
    bindings
        .iter()
        .find(|b| b.keys.contains(&key.code))
        .map(|b| b.action)
}

/// Footer text: "key words" pairs in table order. Pairs are separated by
/// two spaces when all of them fit in `width` columns, else by one space,
/// and the pairs that still do not fit are left to the help.
pub fn footer<A: Copy>(bindings: &[Binding<A>], width: u16) -> String {
    let items: Vec<String> = bindings
        .iter()
        .filter(|b| !b.footer.is_empty())
        .map(|b| format!("{} {}", b.key_label, b.footer))
        .collect();
    let wide = items.join("  ");
    if wide.chars().count() <= usize::from(width) {
        return wide;
    }
    let mut text = String::new();
    for item in items {
        let needed = item.chars().count() + usize::from(!text.is_empty());
        if text.chars().count() + needed > usize::from(width) {
            break;
        }
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&item);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Act {
        Up,
        Quit,
    }

    const KEYS: &[Binding<Act>] = &[
        Binding {
            keys: &[KeyCode::Char('k'), KeyCode::Up],
            key_label: "k/↑",
            action: Act::Up,
            description: "move up",
            footer: "up",
        },
        Binding {
            keys: &[KeyCode::Char('q')],
            key_label: "q",
            action: Act::Quit,
            description: "quit the program",
            footer: "quit",
        },
    ];

    #[test]
    fn lookup_by_any_listed_key() {
        let up = KeyEvent::new(KeyCode::Up, KeyModifiers::NONE);
        assert_eq!(lookup(KEYS, &up), Some(Act::Up));
        let ctrl_q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL);
        assert_eq!(lookup(KEYS, &ctrl_q), None);
    }

    #[test]
    fn footer_stops_at_width() {
        assert_eq!(footer(KEYS, 80), "k/↑ up  q quit");
        assert_eq!(footer(KEYS, 13), "k/↑ up q quit");
        assert_eq!(footer(KEYS, 8), "k/↑ up");
    }
}
