//! Parsing one line of shell.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// Where standard output goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// The file.
    pub path: String,
    /// `>>`: append instead of truncate.
    pub append: bool,
}

/// A parsed command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Command {
    /// The program (or builtin) and its arguments.
    pub words: Vec<String>,
    /// `< file`.
    pub stdin: Option<String>,
    /// `> file` or `>> file`.
    pub stdout: Option<Redirect>,
    /// A final `&`.
    pub background: bool,
}

impl Command {
    /// The command as it would be written (for messages).
    pub fn text(&self) -> String {
        let mut s = self.words.join(" ");
        if let Some(i) = &self.stdin {
            s += " < ";
            s += i;
        }
        if let Some(o) = &self.stdout {
            s += if o.append { " >> " } else { " > " };
            s += &o.path;
        }
        if self.background {
            s += " &";
        }
        s
    }
}

/// Parses a line: `None` if it is blank or only a comment.
pub fn parse_line(line: &str) -> Result<Option<Command>, String> {
    let line = line.split('#').next().unwrap_or("");
    let mut cmd = Command::default();
    let mut words = line.split_whitespace().peekable();
    while let Some(w) = words.next() {
        if cmd.background {
            return Err("`&` must end the command".into());
        }
        let (op, rest) = if let Some(r) = w.strip_prefix(">>") {
            (">>", r)
        } else if let Some(r) = w.strip_prefix('>') {
            (">", r)
        } else if let Some(r) = w.strip_prefix('<') {
            ("<", r)
        } else if w == "&" {
            cmd.background = true;
            continue;
        } else {
            cmd.words.push(w.to_string());
            continue;
        };
        let file = if rest.is_empty() { words.next() } else { Some(rest) };
        let file = match file {
            Some(f) if !f.starts_with(['<', '>', '&']) => f.to_string(),
            _ => return Err(alloc::format!("missing file name after `{op}`")),
        };
        if op == "<" {
            if cmd.stdin.replace(file).is_some() {
                return Err("two input redirections".into());
            }
        } else if cmd.stdout.replace(Redirect { path: file, append: op == ">>" }).is_some() {
            return Err("two output redirections".into());
        }
    }
    if cmd.words.is_empty() {
        if cmd.stdin.is_some() || cmd.stdout.is_some() || cmd.background {
            return Err("missing command".into());
        }
        return Ok(None);
    }
    Ok(Some(cmd))
}

/// The program a command word names: as is if it has a `/`, else `/bin/<name>`.
pub fn program_path(word: &str) -> String {
    if word.contains('/') { word.to_string() } else { alloc::format!("/bin/{word}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: &str) -> Command {
        parse_line(line).unwrap().unwrap()
    }

    #[test]
    fn words_comments_and_blank_lines() {
        assert_eq!(parse_line("").unwrap(), None);
        assert_eq!(parse_line("   # just a comment").unwrap(), None);
        let c = p("  ls\t-l  /bin # list");
        assert_eq!(c.words, ["ls", "-l", "/bin"]);
        assert!(!c.background && c.stdin.is_none() && c.stdout.is_none());
    }

    #[test]
    fn redirections_and_background() {
        let c = p("cat < in.txt > out.txt &");
        assert_eq!(c.words, ["cat"]);
        assert_eq!(c.stdin.as_deref(), Some("in.txt"));
        assert_eq!(c.stdout, Some(Redirect { path: "out.txt".into(), append: false }));
        assert!(c.background);
        let c = p("echo a >>log b");
        assert_eq!(c.words, ["echo", "a", "b"]);
        assert_eq!(c.stdout, Some(Redirect { path: "log".into(), append: true }));
        assert_eq!(c.text(), "echo a b >> log");
        assert_eq!(p("wc <f").text(), "wc < f");
    }

    #[test]
    fn syntax_errors() {
        assert_eq!(parse_line("cat >").unwrap_err(), "missing file name after `>`");
        assert_eq!(parse_line("cat > > x").unwrap_err(), "missing file name after `>`");
        assert_eq!(parse_line("a & b").unwrap_err(), "`&` must end the command");
        assert_eq!(parse_line("> x").unwrap_err(), "missing command");
        assert_eq!(parse_line("&").unwrap_err(), "missing command");
        assert_eq!(parse_line("a > x > y").unwrap_err(), "two output redirections");
        assert_eq!(parse_line("a < x < y").unwrap_err(), "two input redirections");
    }

    #[test]
    fn program_paths() {
        assert_eq!(program_path("cat"), "/bin/cat");
        assert_eq!(program_path("/init"), "/init");
        assert_eq!(program_path("./a"), "./a");
    }
}
