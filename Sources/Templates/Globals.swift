// Global functions: Hugging Face's `raise_exception` and `strftime_now`, and jinja2's
// `namespace`, `range` and `dict`.

import Foundation

extension Interpreter {
    func installGlobals() {
        func define(_ name: String, _ body: @escaping ([Value], Object) throws(TemplateError) -> Value) {
            if globals.vars[name] == nil { globals.vars[name] = .callable(Callable(name: name, call: body)) }
        }
        define("raise_exception") { args, kwargs throws(TemplateError) in
            throw .raised(message: (args.first ?? kwargs["message"] ?? .string("")).str)
        }
        let now = self.now
        define("strftime_now") { args, _ throws(TemplateError) in
            .string(Interpreter.strftime(args.first?.str ?? "", now))
        }
        define("namespace") { args, kwargs throws(TemplateError) in
            var o = Object()
            if case .object(let initial)? = args.first { o = initial }
            for e in kwargs.entries { o[e.key] = e.value }
            return .namespace(Namespace(o))
        }
        define("dict") { args, kwargs throws(TemplateError) in
            var o = Object()
            if case .object(let initial)? = args.first { o = initial }
            for e in kwargs.entries { o[e.key] = e.value }
            return .object(o)
        }
        define("range") { args, _ throws(TemplateError) in
            let ints = args.compactMap(\.integer)
            guard ints.count == args.count, (1...3).contains(ints.count) else {
                throw .runtime(line: 0, message: "range expects 1 to 3 integer arguments")
            }
            let (start, stop, step) = ints.count == 1 ? (0, ints[0], 1) : (ints[0], ints[1], ints.count == 3 ? ints[2] : 1)
            guard step != 0 else { throw .runtime(line: 0, message: "range() arg 3 must not be zero") }
            let count = step > 0 ? max(0, (stop - start + step - 1) / step) : max(0, (start - stop - step - 1) / -step)
            guard count <= 100_000 else { throw .runtime(line: 0, message: "range too large") }
            return .array((0..<count).map { .int(start + $0 * step) })
        }
    }

    /// C `strftime` for the common directives, in the local time zone (as Python's
    /// `datetime.now().strftime` is). `%-d` drops padding as glibc does.
    static func strftime(_ format: String, _ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let dayOfYear = calendar.ordinality(of: .day, in: .year, for: date) ?? 1
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December"]
        let days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        let year = c.year ?? 1970, month = c.month ?? 1, day = c.day ?? 1
        let hour = c.hour ?? 0, minute = c.minute ?? 0, second = c.second ?? 0, weekday = (c.weekday ?? 1) - 1
        func pad(_ n: Int, _ width: Int, _ noPad: Bool, _ fill: Character = "0") -> String {
            let s = String(n)
            return noPad || s.count >= width ? s : String(repeating: fill, count: width - s.count) + s
        }
        var out = ""
        var chars = format[...]
        while let ch = chars.first {
            chars.removeFirst()
            guard ch == "%", !chars.isEmpty else { out.append(ch); continue }
            var noPad = false
            if chars.first == "-" { noPad = true; chars.removeFirst() }
            guard let d = chars.first else { out += noPad ? "%-" : "%"; break }
            chars.removeFirst()
            switch d {
            case "Y": out += String(year)
            case "y": out += pad(year % 100, 2, noPad)
            case "m": out += pad(month, 2, noPad)
            case "d": out += pad(day, 2, noPad)
            case "e": out += pad(day, 2, noPad, " ")
            case "H": out += pad(hour, 2, noPad)
            case "I": out += pad(hour % 12 == 0 ? 12 : hour % 12, 2, noPad)
            case "M": out += pad(minute, 2, noPad)
            case "S": out += pad(second, 2, noPad)
            case "p": out += hour < 12 ? "AM" : "PM"
            case "j": out += pad(dayOfYear, 3, noPad)
            case "B": out += months[month - 1]
            case "b", "h": out += String(months[month - 1].prefix(3))
            case "A": out += days[weekday]
            case "a": out += String(days[weekday].prefix(3))
            case "w": out += String(weekday)
            case "u": out += String(weekday == 0 ? 7 : weekday)
            case "F": out += "\(year)-\(pad(month, 2, false))-\(pad(day, 2, false))"
            case "T": out += "\(pad(hour, 2, false)):\(pad(minute, 2, false)):\(pad(second, 2, false))"
            case "D": out += "\(pad(month, 2, false))/\(pad(day, 2, false))/\(pad(year % 100, 2, false))"
            case "n": out += "\n"
            case "t": out += "\t"
            case "%": out += "%"
            case "Z", "z": break
            default: out += "%" + (noPad ? "-" : "") + String(d)
            }
        }
        return out
    }
}
