import ArgumentParser
import MVService

/// The `mvservice` executable: the command tree lives in MVService; `@main` must sit on an async root command here.
@main
struct MVServiceCLI: AsyncParsableCommand {
    static let configuration = MVServiceCommand.configuration
}
