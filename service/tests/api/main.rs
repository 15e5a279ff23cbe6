mod clients;
mod foundation;
mod helpers;
mod ledger_check;
mod portal;
mod signing;
mod top_ups;
mod wallet;
