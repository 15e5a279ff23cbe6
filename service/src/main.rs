//! `volixta-service`: config → tracing → pool → migrate → serve.
use clap::{Parser, Subcommand};
use std::process::ExitCode;
use volixta_service::{Config, db, migrate, serve, telemetry};

#[derive(Parser)]
#[command(
    name = "volixta-service",
    version,
    about = "Volixta booking, CRM and wallet service"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations, then serve HTTP until SIGTERM.
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
}

#[tokio::main]
async fn main() -> ExitCode {
    telemetry::init();
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("volixta-service: {e}");
            return ExitCode::from(2);
        }
    };
    let result = async {
        let db = db::connect(&config).await?;
        migrate::run(&db).await?;
        match cli.command {
            Command::Migrate => Ok(()),
            Command::Serve => serve::run(config, db).await,
        }
    }
    .await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("volixta-service: {e:#}");
            ExitCode::FAILURE
        }
    }
}
