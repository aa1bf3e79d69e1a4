//! Maps offsets in preprocessed text back to the original files.

use crate::source::{FileId, Span};

/// One run of output text. A verbatim run maps byte for byte onto `src`;
/// an expanded run (macro output) maps as a whole onto the invocation.
#[derive(Clone, Copy, Debug)]
struct Segment {
    out: u32,
    file: FileId,
    src: u32,
    src_end: u32,
    expanded: bool,
}

/// The output text of the preprocessor with its origins.
#[derive(Clone, Debug, Default)]
pub struct OriginMap {
    segments: Vec<Segment>,
    /// The segment the last lookup found: the parser asks for spans in
    /// nearly increasing order, so most lookups land in it or the next.
    hint: std::cell::Cell<usize>,
}

impl OriginMap {
    /// Records that the output from `out` on comes verbatim from `file` at `src`.
    pub(crate) fn verbatim(&mut self, out: usize, file: FileId, src: usize, len: usize) {
        let (out, src, len) = (to_u32(out), to_u32(src), to_u32(len));
        if let Some(last) = self.segments.last_mut() {
            let contiguous = !last.expanded
                && last.file == file
                && last.src_end == src
                && out.checked_sub(last.out) == src.checked_sub(last.src);
            if contiguous {
                last.src_end = src + len;
                return;
            }
        }
        self.push(Segment {
            out,
            file,
            src,
            src_end: src + len,
            expanded: false,
        });
    }

    /// Records that the output from `out` on was produced by a macro invoked at `invocation`.
    pub(crate) fn expanded(&mut self, out: usize, invocation: Span) {
        if let Some(last) = self.segments.last() {
            if last.expanded && last.file == invocation.file && last.src == invocation.start {
                return;
            }
        }
        self.push(Segment {
            out: to_u32(out),
            file: invocation.file,
            src: invocation.start,
            src_end: invocation.end,
            expanded: true,
        });
    }

    /// Forgets the output from `out` on, as if it had never been written.
    pub(crate) fn truncate(&mut self, out: usize) {
        let out = to_u32(out);
        while self.segments.last().is_some_and(|s| s.out >= out) {
            self.segments.pop();
        }
        if let Some(last) = self.segments.last_mut() {
            if !last.expanded {
                last.src_end = last.src_end.min(last.src + (out - last.out));
            }
        }
        self.hint.set(0);
    }

    fn push(&mut self, seg: Segment) {
        // A later segment starting at the same output offset replaces an empty one.
        if let Some(last) = self.segments.last_mut() {
            if last.out == seg.out {
                *last = seg;
                return;
            }
        }
        self.segments.push(seg);
    }

    fn locate(&self, out: u32) -> Option<&Segment> {
        let starts = |i: usize| self.segments.get(i).map(|s| s.out);
        let hint = self.hint.get();
        for i in [hint, hint + 1] {
            let here = starts(i).is_some_and(|s| s <= out);
            if here && starts(i + 1).is_none_or(|next| out < next) {
                self.hint.set(i);
                return self.segments.get(i);
            }
        }
        let idx = self.segments.partition_point(|s| s.out <= out);
        let i = idx.checked_sub(1)?;
        self.hint.set(i);
        self.segments.get(i)
    }

    /// The original span of an output byte range.
    pub fn span(&self, start: usize, end: usize) -> Span {
        let (start, end) = (to_u32(start), to_u32(end.max(start)));
        let Some(first) = self.locate(start) else {
            return Span::default();
        };
        let (file, src_start) = if first.expanded {
            (first.file, first.src)
        } else {
            (
                first.file,
                (first.src + (start - first.out)).min(first.src_end),
            )
        };
        let last = self
            .locate(end.saturating_sub(1).max(start))
            .unwrap_or(first);
        let src_end = if last.file != file {
            src_start
        } else if last.expanded {
            last.src_end
        } else {
            (last.src + (end.max(last.out) - last.out)).min(last.src_end)
        };
        Span {
            file,
            start: src_start,
            end: src_end.max(src_start),
        }
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
