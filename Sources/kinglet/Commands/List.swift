import ArgumentParser
import Foundation
import Kinglet

extension KingletCommand {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the models in the store, with size, quantization and family.",
            aliases: ["ls"])

        @Flag(help: "Print a JSON array instead of a table.")
        var json = false

        @Flag(help: "List the models `kinglet pull` knows instead, and whether each is in the store.")
        var available = false

        func run() async throws {
            if available { return listCatalog() }
            let models = ModelStore.installedModels()
            if json {
                let objects = models.map { model in
                    "{\"name\": \(jsonString(model.name)), \"path\": \(jsonString(model.path)), \"size\": \(model.size), "
                        + "\"quantization\": \(model.quantization.map(jsonString) ?? "null"), "
                        + "\"family\": \(model.family.map(jsonString) ?? "null"), "
                        + "\"modified\": \(jsonString(ISO8601DateFormatter().string(from: model.modified)))}"
                }
                writeOut("[" + objects.joined(separator: ",\n ") + "]\n")
                return
            }
            let now = Date()
            var rows = [["NAME", "SIZE", "QUANTIZATION", "FAMILY", "MODIFIED"]]
            rows += models.map { model in
                [model.name, ByteSize.human(model.size), model.quantization ?? "?", model.family ?? "?",
                 Self.age(of: model.modified, now: now)]
            }
            printTable(rows)
        }

        func listCatalog() {
            let rows = ModelStore.catalog.map { entry -> [String] in
                let present = FileManager.default.fileExists(atPath: ModelStore.path(for: entry.name))
                return [entry.name, ByteSize.human(entry.size), "\(entry.packages.count) wheels", present ? "pulled" : "-"]
            }
            if json {
                let objects = ModelStore.catalog.map { entry in
                    "{\"name\": \(jsonString(entry.name)), \"file\": \(jsonString(entry.fileName)), \"size\": \(entry.size), "
                        + "\"sha256\": \(jsonString(entry.sha256)), "
                        + "\"pulled\": \(FileManager.default.fileExists(atPath: ModelStore.path(for: entry.name)))}"
                }
                writeOut("[" + objects.joined(separator: ",\n ") + "]\n")
                return
            }
            printTable([["NAME", "SIZE", "PACKAGES", "STATUS"]] + rows)
        }

        func printTable(_ rows: [[String]]) {
            let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                let cells = zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                writeOut(cells.joined(separator: "    ").trimmingCharacters(in: .whitespaces) + "\n")
            }
        }

        /// "5 seconds ago", "3 minutes ago", "2 days ago", as Ollama prints modification times.
        static func age(of date: Date, now: Date) -> String {
            let seconds = max(0, Int(now.timeIntervalSince(date)))
            let units: [(String, Int)] = [("year", 365 * 86400), ("month", 30 * 86400), ("week", 7 * 86400),
                                          ("day", 86400), ("hour", 3600), ("minute", 60)]
            for (unit, length) in units where seconds >= length {
                let n = seconds / length
                return n == 1 ? "1 \(unit) ago" : "\(n) \(unit)s ago"
            }
            return seconds < 2 ? "just now" : "\(seconds) seconds ago"
        }
    }
}
