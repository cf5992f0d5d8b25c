//! Comparison-graph structure that decides whether Bradley-Terry ratings exist.
//!
//! Ratings are comparable only within a weakly connected component, and the maximum-likelihood
//! estimate is finite only where each component is also strongly connected in the "scored
//! against" graph (Zermelo 1929; Ford 1957): otherwise some group never lost to the rest.
//! Weak connectivity is the shared union-find ([`crate::union_find`]).

/// Strongly connected components of a directed graph (iterative Tarjan), labels as above.
pub fn strong_components(n: usize, present: &[bool], arcs: &[(u32, u32)]) -> (Vec<u32>, usize) {
    let mut start = vec![0usize; n + 1];
    for &(a, _) in arcs {
        start[a as usize + 1] += 1;
    }
    for x in 0..n {
        start[x + 1] += start[x];
    }
    let mut adjacency = vec![0u32; arcs.len()];
    let mut fill = start.clone();
    for &(a, b) in arcs {
        adjacency[fill[a as usize]] = b;
        fill[a as usize] += 1;
    }
    const UNSEEN: usize = usize::MAX;
    let (mut index, mut low) = (vec![UNSEEN; n], vec![0usize; n]);
    let (mut on_stack, mut stack) = (vec![false; n], Vec::new());
    let mut label = vec![u32::MAX; n];
    let (mut counter, mut n_comp) = (0usize, 0u32);
    for root in (0..n).filter(|&x| present[x]) {
        if index[root] != UNSEEN {
            continue;
        }
        let mut call: Vec<(usize, usize)> = vec![(root, start[root])];
        index[root] = counter;
        low[root] = counter;
        counter += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut next)) = call.last_mut() {
            if *next < start[v + 1] {
                let w = adjacency[*next] as usize;
                *next += 1;
                if index[w] == UNSEEN {
                    index[w] = counter;
                    low[w] = counter;
                    counter += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    call.push((w, start[w]));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            call.pop();
            if let Some(&(parent, _)) = call.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    label[w] = n_comp;
                    if w == v {
                        break;
                    }
                }
                n_comp += 1;
            }
        }
    }
    (label, n_comp as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cycle_is_one_strong_component_and_a_chain_is_not() {
        let all = [true; 3];
        let (_, n) = strong_components(3, &all, &[(0, 1), (1, 2), (2, 0)]);
        assert_eq!(n, 1);
        let (label, n) = strong_components(3, &all, &[(0, 1), (1, 2)]);
        assert_eq!(n, 3);
        assert!(label.iter().all(|&x| x < 3));
    }
}
