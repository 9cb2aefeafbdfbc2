/// A one-line command error. ArgumentParser prints a `ValidationError` with the usage text under it, which
/// buries the message; errors about files and runs (not about the command line) use this instead.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
