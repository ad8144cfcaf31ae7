import ArgumentParser
import Foundation
import Kinglet

extension KingletCommand {
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "Delete models from the store, with any unfinished download of them.")

        @Argument(help: "Store names, or names of .gguf files in the store.")
        var names: [String]

        func validate() throws {
            if names.isEmpty { throw ValidationError("name a model to remove (see `kinglet list`)") }
        }

        func run() async throws {
            for name in names {
                do {
                    let removed = try ModelStore.remove(name)
                    writeOut("deleted '\(name)' (\(removed.count) file\(removed.count == 1 ? "" : "s"))\n")
                } catch {
                    throw CommandFailure(error.description)
                }
            }
        }
    }
}
