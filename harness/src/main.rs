//! `hilt`: the command line. Exit statuses are documented in `hilt::model::exit`.

mod cli;

use clap::Parser;
use hilt::model::exit;

fn main() {
    cli::raise_open_file_limit();
    let parsed = match cli::args::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    std::process::exit(cli::run(parsed.command));
}
