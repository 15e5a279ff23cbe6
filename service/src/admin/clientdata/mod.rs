//! The client-data screens of the Clients page: likely duplicates, the merge of two profiles,
//! and the CSV import.
pub mod http;
pub mod import;
pub mod merge;
