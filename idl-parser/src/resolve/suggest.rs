//! "Did you mean": the nearest known name to a misspelt one, and which
//! built-in file declares a name that was not imported.

use crate::source::BuiltinFile;

/// The candidate nearest to `name`, if it is near enough to be a typo:
/// the same but for case, or at most one edit in three characters.
pub fn similar<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    let limit = (name.len() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| {
            let d = strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase());
            (d, c)
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c)
}

/// The built-in file that declares `name` (as a type, an interface or a
/// constant), for a hint to import it.
pub fn builtin_home(name: &str, builtins: &[BuiltinFile]) -> Option<&'static str> {
    let declares = |text: &str| {
        let word = |at: usize| {
            let after = text[at + name.len()..].chars().next();
            let before = text[..at].chars().next_back();
            !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
                && !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
        };
        text.match_indices(name).any(|(at, _)| {
            word(at) && {
                let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
                let line = &text[line_start..];
                let line = &line[..line.find('\n').unwrap_or(line.len())];
                let rest = text[at + name.len()..].trim_start();
                let declarator = rest.starts_with([';', ',', '=']);
                let line = line.trim_start();
                line.contains(&format!("interface {name}"))
                    || (declarator
                        && (line.starts_with("typedef")
                            || line.starts_with("const")
                            || line.starts_with('}')))
            }
        })
    };
    builtins.iter().find(|f| declares(f.text)).map(|f| f.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_names() {
        let known = ["POINT2", "IUnknown", "in", "out", "size_is", "string"];
        assert_eq!(similar("POINT3", known), Some("POINT2"));
        assert_eq!(similar("IUnknwn", known), Some("IUnknown"));
        assert_eq!(similar("inn", known), Some("in"));
        assert_eq!(similar("sizeis", known), Some("size_is"));
        assert_eq!(similar("sting", known), Some("string"));
        assert_eq!(similar("iunknown", known), Some("IUnknown"));
        assert_eq!(similar("frobnicate", known), None);
    }

    #[test]
    fn a_builtin_declaration_is_found() {
        let files = [BuiltinFile {
            name: "base.idl",
            text: "typedef long HRESULT;\n[object] interface IUnknown\n{\n}\ntypedef struct {\n long a;\n} PAIR, *PPAIR;\n",
        }];
        assert_eq!(builtin_home("HRESULT", &files), Some("base.idl"));
        assert_eq!(builtin_home("IUnknown", &files), Some("base.idl"));
        assert_eq!(builtin_home("PAIR", &files), Some("base.idl"));
        assert_eq!(builtin_home("HRESULTS", &files), None);
        assert_eq!(builtin_home("long", &files), None);
    }
}
