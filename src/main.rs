use std::process::ExitCode;

fn main() -> ExitCode {
    tace_registry::cli::main()
}
