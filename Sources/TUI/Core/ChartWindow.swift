// The inspected part of a chart: the zoom window on the step axis and the exact values read at the cursor.

/// Zoom and pan on x, in steps. The window survives live data: while it follows the tail its right edge is
/// the newest step, so new points scroll in; once panned it stays put until `F` follows the tail again.
public struct XWindow: Equatable, Sendable {
    public var span: Int?          // steps shown; nil = the whole run
    public var end: Int?           // last step shown; nil = follow the tail
    public init(span: Int? = nil, end: Int? = nil) { self.span = span; self.end = end }

    public static let minSpan = 16
    public var isZoomed: Bool { span != nil }
    public var follows: Bool { end == nil }

    /// The steps shown for runs whose newest logged step is `last`; nil = all of them.
    public func range(last: Int) -> ClosedRange<Int>? {
        guard let span else { return nil }
        let e = Swift.max(end ?? last, span - 1)
        return (e - span + 1)...e
    }

    /// The visible steps, the whole run when not zoomed.
    public func visible(last: Int) -> ClosedRange<Int> { range(last: last) ?? 0...Swift.max(0, last) }

    /// Halves (or doubles) the span, keeping `anchor` at the same place on screen. Zooming out to the whole
    /// run resets the window; a window that reaches the tail follows it.
    public mutating func zoom(in zoomIn: Bool, anchor: Int?, last: Int) {
        let v = visible(last: last), width = v.count
        let newSpan = zoomIn ? Swift.max(Self.minSpan, width / 2) : width * 2
        if !zoomIn && newSpan >= last { self = XWindow(); return }
        let a = anchor ?? (follows ? v.upperBound : (v.lowerBound + v.upperBound) / 2)
        let fraction = width > 1 ? Double(a - v.lowerBound) / Double(width - 1) : 1
        let lo = a - Int((fraction * Double(newSpan - 1)).rounded())
        span = newSpan
        let newEnd = Swift.max(lo + newSpan - 1, newSpan - 1)
        end = newEnd >= last ? nil : newEnd
    }

    /// Moves a zoomed window by a quarter of its span; reaching the tail follows it again.
    public mutating func pan(right: Bool, last: Int) {
        guard let span else { return }
        let shift = Swift.max(1, span / 4)
        let e = (end ?? last) + (right ? shift : -shift)
        end = e >= last ? nil : Swift.max(span - 1, e)
    }
}

/// One logged point as stored: its step, value and wall time, nothing interpolated or bucketed.
public struct LoggedValue: Equatable, Sendable {
    public var step: Int
    public var value: Double
    public var wallTime: Double?
    public init(step: Int, value: Double, wallTime: Double?) { self.step = step; self.value = value; self.wallTime = wallTime }

    /// The value to the last digit: Swift's shortest text that reads back as the same Double.
    public var text: String { value.isNaN ? "NaN" : "\(value)" }
}

/// The exact logged values of a run's series nearest to the cursor step, keyed by series ("loss", "lr", …).
public struct Readout: Equatable, Sendable {
    /// The series a readout reads: the loss chart's, the LR chart's and the EMA chart's.
    public static let keys = ["loss", "loss_pos", "loss_neg", "lr", "momentum"]
    public var step: Int                        // the cursor step this answers
    public var values: [String: LoggedValue]
    public init(step: Int, values: [String: LoggedValue]) { self.step = step; self.values = values }
}

/// CPU and memory of the process that writes a run, read from /proc when it runs on this host.
public struct ProcessUsage: Equatable, Sendable {
    public var pid: Int32
    public var cpuPercent: Double?              // since the previous reading; nil on the first
    public var residentBytes: Int
    public init(pid: Int32, cpuPercent: Double?, residentBytes: Int) {
        self.pid = pid; self.cpuPercent = cpuPercent; self.residentBytes = residentBytes
    }
}
