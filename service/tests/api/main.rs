mod clients;
mod foundation;
mod helpers;
mod portal;
mod signing;
mod wallet;
