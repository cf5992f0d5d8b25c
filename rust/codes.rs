//! Integer codes of table columns: text columns factorised in first-seen order, and local codes
//! mapped into a shared code space (reporting the first bad row instead of failing midway).

use hashbrown::HashTable;
use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

const CACHE_BITS: u32 = 12;
const CHUNK: usize = 1 << 16;

/// Codes distinct strings in first-seen order.
///
/// Rows are given as `(handle, text)`, where equal handles always mean equal text (the address of
/// an immutable string object, say). A direct-mapped cache of handles codes a repeated object
/// without reading its text, so columns that repeat a few objects (as pandas, pyarrow and CSV
/// readers build them) cost one cache probe a row; other rows are looked up by content.
pub struct TextCoder<'a> {
    table: HashTable<u32>,
    /// Text of each code.
    pub texts: Vec<&'a [u8]>,
    /// Row of each code's first occurrence.
    pub first_rows: Vec<usize>,
    cache: Vec<(usize, u32)>,
    rows: usize,
}

impl Default for TextCoder<'_> {
    fn default() -> Self {
        TextCoder {
            table: HashTable::new(),
            texts: Vec::new(),
            first_rows: Vec::new(),
            cache: vec![(0, 0); 1 << CACHE_BITS],
            rows: 0,
        }
    }
}

impl<'a> TextCoder<'a> {
    /// Code of the next row. `text` is called only for a handle not in the cache; `None` from it
    /// (a value that is not text) is passed on. Handle 0 is never cached.
    #[inline]
    pub fn code(&mut self, handle: usize, text: impl FnOnce() -> Option<&'a [u8]>) -> Option<u32> {
        let row = self.rows;
        self.rows += 1;
        let slot = ((handle as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - CACHE_BITS)) as usize;
        let (cached, code) = self.cache[slot];
        if cached == handle && handle != 0 {
            return Some(code);
        }
        let bytes = text()?;
        let hash = xxh3_64(bytes);
        let texts = &self.texts;
        let code = match self.table.find(hash, |&c| texts[c as usize] == bytes) {
            Some(&c) => c,
            None => {
                let c = self.texts.len() as u32;
                self.texts.push(bytes);
                self.first_rows.push(row);
                let texts = &self.texts;
                self.table.insert_unique(hash, c, |&c| xxh3_64(texts[c as usize]));
                c
            }
        };
        self.cache[slot] = (handle, code);
        Some(code)
    }
}

/// A column code: any primitive integer (negative for a missing value).
pub trait Code: Copy + Sync + TryInto<usize> {}
impl<T: Copy + Sync + TryInto<usize>> Code for T {}

/// `code` as an index, `usize::MAX` for a negative (missing) code.
#[inline(always)]
pub fn index<T: Code>(code: T) -> usize {
    code.try_into().unwrap_or(usize::MAX)
}

/// `table[code]`, or `None` for a negative code or one past the end of `table`.
#[inline]
pub fn look<T: Code>(table: &[u32], code: T) -> Option<u32> {
    table.get(index(code)).copied()
}

/// Branch-free [`look`] for the hot loops: `(value, valid)`, with an in-range stand-in value
/// for an invalid code (`table` must not be empty).
#[inline(always)]
pub fn look_flagged<T: Code>(table: &[u32], code: T) -> (u32, bool) {
    let (x, last) = (index(code), table.len() - 1);
    (table[x.min(last)], x <= last)
}

/// Why a pair of columns could not be coded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairProblem {
    /// Column 0 or 1 has a missing value (or a code past its table) at `row`.
    Missing { column: usize, row: usize },
    /// Both columns map to the same code at `row` (a model battling itself).
    Same { row: usize },
}

/// Both columns of a pair mapped through their tables (`table[code]`) and checked to differ in
/// every row, in one parallel pass; otherwise the first problem by row (a negative code or one
/// past its table is missing).
pub fn recode_pair<T: Code>(
    a: &[T],
    table_a: &[u32],
    b: &[T],
    table_b: &[u32],
) -> Result<(Vec<u32>, Vec<u32>), PairProblem> {
    let n = a.len().min(b.len());
    let problem = |row: usize| match (look(table_a, a[row]), look(table_b, b[row])) {
        (None, _) => Some(PairProblem::Missing { column: 0, row }),
        (_, None) => Some(PairProblem::Missing { column: 1, row }),
        (Some(u), Some(v)) => (u == v).then_some(PairProblem::Same { row }),
    };
    if table_a.is_empty() || table_b.is_empty() {
        return (0..n).find_map(problem).map_or(Ok((vec![], vec![])), Err);
    }
    let (mut first, mut second) = (vec![0u32; n], vec![0u32; n]);
    let valid = first
        .par_chunks_mut(CHUNK)
        .zip(second.par_chunks_mut(CHUNK))
        .zip(a[..n].par_chunks(CHUNK).zip(b[..n].par_chunks(CHUNK)))
        .all(|((out_a, out_b), (a, b))| {
            let mut valid = true;
            for ((x, y), (&ca, &cb)) in out_a.iter_mut().zip(out_b.iter_mut()).zip(a.iter().zip(b)) {
                let ((u, ok_a), (v, ok_b)) = (look_flagged(table_a, ca), look_flagged(table_b, cb));
                (*x, *y) = (u, v);
                valid &= ok_a & ok_b & (u != v);
            }
            valid
        });
    if valid {
        return Ok((first, second));
    }
    Err((0..n).find_map(problem).expect("a bad row exists"))
}

/// First row where the two columns hold the same code (a model battling itself, say).
pub fn first_equal(a: &[u32], b: &[u32]) -> Option<usize> {
    a.par_chunks(CHUNK)
        .zip(b.par_chunks(CHUNK))
        .enumerate()
        .find_map_first(|(c, (a, b))| a.iter().zip(b).position(|(x, y)| x == y).map(|k| c * CHUNK + k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_codes_follow_first_occurrence_whatever_the_handles() {
        let rows: [(usize, &str); 6] = [(8, "b"), (16, "a"), (8, "b"), (24, "b"), (32, "c"), (16, "a")];
        let mut coder = TextCoder::default();
        let codes: Vec<u32> =
            rows.iter().map(|&(h, t)| coder.code(h, || Some(t.as_bytes())).unwrap()).collect();
        assert_eq!(codes, [0, 1, 0, 0, 2, 1]);
        assert_eq!(coder.texts, [b"b".as_slice(), b"a", b"c"]);
        assert_eq!(coder.first_rows, [0, 1, 4]);
        assert_eq!(coder.code(40, || None), None);
    }

    #[test]
    fn many_distinct_texts_overflow_the_cache_without_changing_codes() {
        let texts: Vec<String> = (0..20_000).map(|i| format!("model-{}", i % 7_000)).collect();
        let mut coder = TextCoder::default();
        for (r, t) in texts.iter().enumerate() {
            assert_eq!(coder.code(r + 1, || Some(t.as_bytes())), Some((r % 7_000) as u32));
        }
    }

    #[test]
    fn recode_pair_reports_the_first_problem_by_row() {
        let (ta, tb) = ([0u32, 1, 2], [2u32, 1, 0]);
        assert_eq!(recode_pair(&[0i8, 1], &ta, &[0i8, 2], &tb), Ok((vec![0, 1], vec![2, 0])));
        assert_eq!(recode_pair(&[0i8, 1, -1], &ta, &[0i8, 1, 0], &tb), Err(PairProblem::Same { row: 1 }));
        assert_eq!(
            recode_pair(&[0i8, -1, 1], &ta, &[0i8, 0, 1], &tb),
            Err(PairProblem::Missing { column: 0, row: 1 })
        );
        let a = vec![0u16; 200_000];
        let mut b = vec![0u16; 200_000];
        b[199_999] = 7;
        assert_eq!(recode_pair(&a, &ta, &b, &tb), Err(PairProblem::Missing { column: 1, row: 199_999 }));
    }

    #[test]
    fn first_equal_finds_the_first_match() {
        let a: Vec<u32> = (0..300_000).collect();
        let mut b: Vec<u32> = a.iter().map(|x| x + 1).collect();
        assert_eq!(first_equal(&a, &b), None);
        b[250_000] = 250_000;
        b[100_000] = 100_000;
        assert_eq!(first_equal(&a, &b), Some(100_000));
    }
}
