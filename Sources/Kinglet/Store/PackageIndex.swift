import Foundation

/// A file listed on a PEP 503 "simple" index page.
public struct IndexedFile: Sendable, Equatable {
    /// The file name (the link text, or the URL's last path component).
    public let fileName: String
    /// The absolute download URL, without the fragment.
    public let url: String
    /// The sha256 from the link's `#sha256=` fragment, lowercase hex, if given.
    public let sha256: String?
}

/// Reads PEP 503 "simple" package index pages: `$PIP_INDEX_URL` or https://pypi.org/simple.
public enum PackageIndex {
    /// The index root, without a trailing slash.
    public static var root: String {
        var root = ProcessInfo.processInfo.environment["PIP_INDEX_URL"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "https://pypi.org/simple"
        while root.hasSuffix("/") { root.removeLast() }
        return root
    }

    /// The page listing `package`'s files: the root plus the normalized name (PEP 503).
    public static func pageURL(for package: String) -> String {
        root + "/" + normalized(package) + "/"
    }

    /// The PEP 503 normalized project name: lowercase, runs of `-`, `_`, `.` become one `-`.
    public static func normalized(_ name: String) -> String {
        var out = ""
        var inSeparator = false
        for c in name.lowercased() {
            if c == "-" || c == "_" || c == "." {
                if !inSeparator { out.append("-") }
                inSeparator = true
            } else {
                out.append(c)
                inSeparator = false
            }
        }
        return out
    }

    /// The files an index page links to, in page order.
    ///
    /// Relative links are resolved against `pageURL`; HTML entities in attributes and link
    /// text are decoded. Anchors without an `href` are skipped.
    public static func links(inHTML html: String, pageURL: String) -> [IndexedFile] {
        var files: [IndexedFile] = []
        let base = URL(string: pageURL)
        var rest = html[...]
        while let open = rest.range(of: "<a", options: .caseInsensitive) {
            rest = rest[open.upperBound...]
            // `<a` must start a tag named `a`, not `<abbr`.
            guard let next = rest.first, next.isWhitespace || next == ">" else { continue }
            guard let tagEnd = rest.firstIndex(of: ">") else { break }
            let attributes = rest[..<tagEnd]
            rest = rest[rest.index(after: tagEnd)...]
            let textEnd = rest.range(of: "</a", options: .caseInsensitive)?.lowerBound ?? rest.endIndex
            let text = decodeEntities(String(rest[..<textEnd])).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let href = attribute("href", in: attributes).map(decodeEntities) else { continue }
            var address = href
            var sha256: String?
            if let hash = href.firstIndex(of: "#") {
                address = String(href[..<hash])
                let fragment = href[href.index(after: hash)...]
                if fragment.lowercased().hasPrefix("sha256=") {
                    sha256 = String(fragment.dropFirst("sha256=".count)).lowercased()
                }
            }
            let absolute = URL(string: address, relativeTo: base)?.absoluteString ?? address
            let pathName = address.split(separator: "/").last.map(String.init) ?? address
            let fileName = text.isEmpty || text.contains("/") ? (pathName.removingPercentEncoding ?? pathName) : text
            files.append(IndexedFile(fileName: fileName, url: absolute, sha256: sha256))
        }
        return files
    }

    /// The wheel of `package` at `version` among `files`, if listed.
    ///
    /// Wheel names start `{distribution}-{version}-`, the distribution with `-` and `.`
    /// written as `_` (PEP 427); names compare after normalizing.
    public static func wheel(of package: String, version: String, in files: [IndexedFile]) -> IndexedFile? {
        files.first { file in
            guard file.fileName.lowercased().hasSuffix(".whl") else { return false }
            let parts = file.fileName.split(separator: "-", maxSplits: 2)
            return parts.count == 3 && normalized(String(parts[0])) == normalized(package) && parts[1] == version
        }
    }

    /// The value of attribute `name` in a tag's attribute text (quoted or bare), undecoded.
    static func attribute(_ name: String, in tag: Substring) -> String? {
        var rest = tag
        while let found = rest.range(of: name, options: .caseInsensitive) {
            let before = found.lowerBound == tag.startIndex ? " " : tag[tag.index(before: found.lowerBound)]
            rest = rest[found.upperBound...]
            guard before.isWhitespace else { continue }
            var cursor = rest.drop { $0.isWhitespace }
            guard cursor.first == "=" else { continue }
            cursor = cursor.dropFirst().drop { $0.isWhitespace }
            guard let quote = cursor.first else { return "" }
            if quote == "\"" || quote == "'" {
                let body = cursor.dropFirst()
                return String(body.prefix { $0 != quote })
            }
            return String(cursor.prefix { !$0.isWhitespace && $0 != ">" })
        }
        return nil
    }

    /// Decodes `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;` and numeric character references.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        let named: [Substring: String] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{a0}"]
        var out = ""
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let afterAmp = rest[rest.index(after: amp)...]
            if let semicolon = afterAmp.prefix(10).firstIndex(of: ";") {
                let name = afterAmp[..<semicolon]
                var replacement: String?
                if let value = named[name] {
                    replacement = value
                } else if name.hasPrefix("#x") || name.hasPrefix("#X") {
                    replacement = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String($0) }
                } else if name.hasPrefix("#") {
                    replacement = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String($0) }
                }
                if let replacement {
                    out += replacement
                    rest = afterAmp[afterAmp.index(after: semicolon)...]
                    continue
                }
            }
            out += "&"
            rest = afterAmp
        }
        return out + rest
    }
}
