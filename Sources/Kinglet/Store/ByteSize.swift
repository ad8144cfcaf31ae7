import Foundation

/// Byte counts for people, in decimal units as Ollama prints them: "491 MB", "1.1 GB".
public enum ByteSize {
    /// `bytes` in B, KB, MB, GB or TB (powers of 1000); one decimal below 10, none above.
    ///
    /// ```swift
    /// ByteSize.human(491_400_064)    // "491 MB"
    /// ByteSize.human(1_117_320_768)  // "1.1 GB"
    /// ```
    public static func human(_ bytes: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB", "PB"]
        var value = Double(bytes)
        var unit = 0
        while abs(value) >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        // Round first, so 9.96 MB prints as "10 MB" rather than "10.0 MB".
        let rounded = (value * 10).rounded() / 10
        return (abs(rounded) < 10 ? String(format: "%.1f", rounded) : String(format: "%.0f", value)) + " " + units[unit]
    }
}
