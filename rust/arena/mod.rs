//! Arena leaderboards: battle counting and pair cells, Bradley-Terry fits and the structure of
//! the comparison graph, sandwich errors, resampling, style control and online Elo.

pub mod bradley_terry;
pub mod elo;
pub mod graph;
pub mod pairs;
pub mod resample;
pub mod sandwich;
pub mod style;
