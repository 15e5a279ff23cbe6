//! `volixta-service`: config → tracing → pool → migrate → serve.
use clap::{Parser, Subcommand};
use std::process::ExitCode;
use volixta_service::{Config, clients, db, migrate, serve, telemetry, wallet};

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
    /// Check every client's wallet ledger (running balances, never negative, sum equal to the
    /// cached balance); exit non-zero naming each broken one.
    VerifyLedgers,
    /// Import clients from a CSV file, matching live clients by e-mail, then phone; invalid rows
    /// are reported with their line and skipped.
    ImportClients {
        /// The CSV file, with a header line.
        file: std::path::PathBuf,
        /// Report what would happen and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Which column holds which field: `field=Header`, comma-separated or repeated
        /// (e.g. `--mapping "first_name=Given name,email=E-mail"`). Usual headers need none.
        #[arg(long, value_delimiter = ',')]
        mapping: Vec<String>,
        /// Print every row's outcome, not only the skipped ones.
        #[arg(long)]
        verbose: bool,
    },
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
        if matches!(cli.command, Command::VerifyLedgers) {
            return verify_ledgers(&db).await;
        }
        migrate::run(&db).await?;
        match cli.command {
            Command::Migrate => Ok(()),
            Command::Serve => serve::run(config, db).await,
            Command::VerifyLedgers => unreachable!("handled before migrating"),
            Command::ImportClients {
                file,
                dry_run,
                mapping,
                verbose,
            } => clients::import_file(&db, &file, dry_run, &mapping, verbose).await,
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

async fn verify_ledgers(db: &db::Db) -> anyhow::Result<()> {
    let broken = wallet::verify_ledgers(db).await?;
    if broken.is_empty() {
        println!("every wallet ledger is sound");
        return Ok(());
    }
    for wallet in &broken {
        println!("{wallet}");
    }
    anyhow::bail!("{} client wallet(s) are broken", broken.len())
}
