//! A benchmark's units in cluster order, so that cluster sums are running sums flushed where the
//! cluster changes: memory per benchmark is the order itself, whatever the number of clusters.

/// The units `start..end` sorted by their cluster (stable), and where each cluster's run begins
/// (with `end - start` appended). Without clusters every unit is its own cluster.
pub fn cluster_runs(cluster: Option<&[u32]>, start: usize, end: usize) -> (Vec<usize>, Vec<usize>) {
    let mut order: Vec<usize> = (start..end).collect();
    let Some(cluster) = cluster else {
        let runs = (0..=order.len()).collect();
        return (order, runs);
    };
    order.sort_by_key(|&u| cluster[u]);
    let mut runs = Vec::new();
    for (i, &u) in order.iter().enumerate() {
        if i == 0 || cluster[u] != cluster[order[i - 1]] {
            runs.push(i);
        }
    }
    runs.push(order.len());
    (order, runs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_split_where_the_cluster_changes() {
        let cluster = [9, 2, 9, 5, 2, 7];
        let (order, runs) = cluster_runs(Some(&cluster), 1, 5);
        assert_eq!(order, vec![1, 4, 3, 2]);
        assert_eq!(runs, vec![0, 2, 3, 4]);
        let (order, runs) = cluster_runs(None, 2, 4);
        assert_eq!((order, runs), (vec![2, 3], vec![0, 1, 2]));
    }
}
