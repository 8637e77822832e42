//! The `kaifang` binary: parse the command line, hand over to the library.

use clap::Parser;

/// See Cargo.toml: mimalloc instead of glibc's malloc, which grew for minutes under load. The
/// `system-allocator` feature leaves it out, for heap profilers (heaptrack) that see only malloc.
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    let cli = kaifang::cli::Cli::parse();
    match kaifang::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误 (error): {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
