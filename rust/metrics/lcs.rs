//! Longest common subsequences of token-id sequences, bit-parallel (Hyyrö's row recurrence
//! `V ← (V + (V & M)) | (V − (V & M))` over 64-bit words), and one LCS read back with
//! `rouge_score`'s tie-break.
//!
//! Bit `j` of the row vector after `i` rows is 0 where the DP table steps up between columns
//! `j` and `j + 1`; so `table[i][j]` is the number of zero bits below `j`, and the LCS length
//! the number of zero bits in the last row.

/// No mask for this token.
pub const ABSENT: u32 = u32::MAX;

/// Match masks of one column sequence of dense token ids: for each distinct token, the
/// positions holding it. Built in a caller's buffers: `slot` (one entry per id, all
/// [`ABSENT`], and left so when dropped) and `masks`.
pub struct Columns<'a> {
    tokens: &'a [u32],
    words: usize,
    slot: &'a mut [u32],
    masks: &'a mut Vec<u64>,
}

impl<'a> Columns<'a> {
    pub fn new(tokens: &'a [u32], slot: &'a mut [u32], masks: &'a mut Vec<u64>) -> Self {
        let words = tokens.len().div_ceil(64);
        masks.clear();
        for (j, &t) in tokens.iter().enumerate() {
            let s = &mut slot[t as usize];
            if *s == ABSENT {
                *s = (masks.len() / words) as u32;
                masks.resize(masks.len() + words, 0);
            }
            masks[*s as usize * words + j / 64] |= 1u64 << (j % 64);
        }
        Columns { tokens, words, slot, masks }
    }

    fn mask(&self, token: u32) -> Option<&[u64]> {
        match self.slot[token as usize] {
            ABSENT => None,
            s => Some(&self.masks[s as usize * self.words..(s as usize + 1) * self.words]),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    pub fn shares_any(&self, rows: &[u32]) -> bool {
        rows.iter().any(|&t| self.slot[t as usize] != ABSENT)
    }
}

impl Drop for Columns<'_> {
    fn drop(&mut self) {
        for &t in self.tokens {
            self.slot[t as usize] = ABSENT;
        }
    }
}

/// One row step of the recurrence, in place, with carries and borrows across words.
fn advance(row: &mut [u64], mask: &[u64]) {
    let mut carry = false;
    let mut borrow = false;
    for (v, &m) in row.iter_mut().zip(mask) {
        let u = *v & m;
        let (s1, c1) = v.overflowing_add(u);
        let (s2, c2) = s1.overflowing_add(u64::from(carry));
        carry = c1 | c2;
        let (d1, b1) = v.overflowing_sub(u);
        let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
        borrow = b1 | b2;
        *v = s2 | d2;
    }
}

/// Zero bits of `row` among positions `0..j`.
fn zeros_below(row: &[u64], j: usize) -> usize {
    let full = j / 64;
    let mut ones: usize = row[..full].iter().map(|w| w.count_ones() as usize).sum();
    if !j.is_multiple_of(64) {
        ones += (row[full] & ((1u64 << (j % 64)) - 1)).count_ones() as usize;
    }
    j - ones
}

/// Length of the longest common subsequence of `rows` and the columns (`row`: scratch).
pub fn length(rows: &[u32], columns: &Columns<'_>, row: &mut Vec<u64>) -> usize {
    row.clear();
    row.resize(columns.words, u64::MAX);
    for &t in rows {
        if let Some(mask) = columns.mask(t) {
            advance(row, mask);
        }
    }
    zeros_below(row, columns.tokens.len())
}

/// Calls `mark` with each index into `rows` of the LCS `rouge_score`'s `_backtrack_norec`
/// reads from the full DP table (last first): from the bottom-right corner, a match goes
/// diagonally, else left when the cell to the left is strictly larger than the one above, else
/// up. `table`: scratch.
pub fn indices(rows: &[u32], columns: &Columns<'_>, table: &mut Vec<u64>, mut mark: impl FnMut(usize)) {
    let w = columns.words;
    table.clear();
    table.resize((rows.len() + 1) * w, u64::MAX);
    for (i, &t) in rows.iter().enumerate() {
        let (done, next) = table.split_at_mut((i + 1) * w);
        next[..w].copy_from_slice(&done[i * w..]);
        if let Some(mask) = columns.mask(t) {
            advance(&mut next[..w], mask);
        }
    }
    let cell = |i: usize, j: usize| zeros_below(&table[i * w..(i + 1) * w], j);
    let cols = columns.tokens;
    let (mut i, mut j) = (rows.len(), cols.len());
    while i > 0 && j > 0 {
        if rows[i - 1] == cols[j - 1] {
            mark(i - 1);
            i -= 1;
            j -= 1;
        } else if cell(i, j - 1) > cell(i - 1, j) {
            j -= 1;
        } else {
            i -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `rouge_score`'s `_lcs_table` and `_backtrack_norec`, transcribed.
    fn reference(a: &[u32], b: &[u32]) -> (usize, Vec<usize>) {
        let mut t = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                t[i][j] =
                    if a[i - 1] == b[j - 1] { t[i - 1][j - 1] + 1 } else { t[i - 1][j].max(t[i][j - 1]) };
            }
        }
        let (mut i, mut j, mut out) = (a.len(), b.len(), Vec::new());
        while i > 0 && j > 0 {
            if a[i - 1] == b[j - 1] {
                out.insert(0, i - 1);
                i -= 1;
                j -= 1;
            } else if t[i][j - 1] > t[i - 1][j] {
                j -= 1;
            } else {
                i -= 1;
            }
        }
        (t[a.len()][b.len()], out)
    }

    #[test]
    fn equals_the_dp_table_on_random_sequences() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |k: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % k) as u32
        };
        for trial in 0..400 {
            let (la, lb, alphabet) = (next(150) as usize, next(150) as usize, 2 + u64::from(next(8)));
            let a: Vec<u32> = (0..la).map(|_| next(alphabet)).collect();
            let b: Vec<u32> = (0..lb).map(|_| next(alphabet)).collect();
            let mut slot = vec![ABSENT; alphabet as usize];
            let mut masks = Vec::new();
            let cols = Columns::new(&b, &mut slot, &mut masks);
            let (len, idx) = reference(&a, &b);
            assert_eq!(length(&a, &cols, &mut Vec::new()), len, "trial {trial}");
            let mut got = Vec::new();
            indices(&a, &cols, &mut Vec::new(), |i| got.push(i));
            got.reverse();
            assert_eq!(got, idx, "trial {trial}");
            drop(cols);
            assert!(slot.iter().all(|&s| s == ABSENT));
        }
    }
}
