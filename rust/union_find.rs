//! Union-find over node pairs: the weakly connected components of a graph. Shared by the
//! arena (which models are comparable) and dedup (clusters of near-duplicate documents).

/// Labels `0..n_components` for each node (`u32::MAX` for nodes not present), weak connectivity.
pub fn weak_components(n: usize, present: &[bool], edges: &[(u32, u32)]) -> (Vec<u32>, usize) {
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for &(a, b) in edges {
        let (ra, rb) = (find(&mut parent, a as usize), find(&mut parent, b as usize));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    label_roots(n, present, |x| find(&mut parent, x))
}

pub fn label_roots(n: usize, present: &[bool], mut root: impl FnMut(usize) -> usize) -> (Vec<u32>, usize) {
    let mut label = vec![u32::MAX; n];
    let mut of_root = vec![u32::MAX; n];
    let mut next = 0u32;
    for x in (0..n).filter(|&x| present[x]) {
        let r = root(x);
        if of_root[r] == u32::MAX {
            of_root[r] = next;
            next += 1;
        }
        label[x] = of_root[r];
    }
    (label, next as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_components_split_disconnected_pieces() {
        let (label, n) = weak_components(5, &[true, true, true, true, false], &[(0, 1), (2, 3)]);
        assert_eq!(n, 2);
        assert_eq!(label[0], label[1]);
        assert_ne!(label[1], label[2]);
        assert_eq!(label[4], u32::MAX);
    }
}
