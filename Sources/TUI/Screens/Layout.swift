// Where each panel goes, as a pure function of the terminal size. The reducer uses it too (to size series
// requests and to hit-test mouse clicks), so drawing and data always agree.

public enum LayoutLimits {
    public static let minWidth = 80, minHeight = 24
    public static let fullWidth = 120, fullHeight = 40
}

public struct DashboardLayout: Equatable, Sendable {
    public var header: Rect, runs: Rect, loss: Rect, lr: Rect, ema: Rect
    public var mask: Rect?          // nil in the compact layout unless the mask pane has focus
    public var throughput: Rect?    // images/s, data wait, CPU and memory; full layout only
    public var status: Rect, keyBar: Rect
    public var compact: Bool

    /// nil when the terminal is below 80×24.
    public static func make(width: Int, height: Int, focus: Pane) -> DashboardLayout? {
        guard width >= LayoutLimits.minWidth, height >= LayoutLimits.minHeight else { return nil }
        let all = Rect(x: 0, y: 0, width: width, height: height)
        let (header, rest) = all.splitTop(1)
        let body = Rect(x: 0, y: rest.y, width: width, height: rest.height - 2)
        let status = Rect(x: 0, y: height - 2, width: width, height: 1)
        let keyBar = Rect(x: 0, y: height - 1, width: width, height: 1)
        let compact = width < LayoutLimits.fullWidth || height < LayoutLimits.fullHeight
        if !compact {
            let (left, right) = body.splitLeft(min(48, max(38, width / 3)))
            let (runs, rest) = left.splitTop(left.height * 35 / 100)
            let (throughput, mask) = rest.splitTop(ThroughputPanel.height)
            let (loss, bottom) = right.splitTop(right.height * 6 / 10)
            let cols = bottom.columns(2)
            return DashboardLayout(header: header, runs: runs, loss: loss, lr: cols[0], ema: cols[1], mask: mask,
                                   throughput: throughput, status: status, keyBar: keyBar, compact: false)
        }
        // 80×24 and up: the mask panel takes the loss chart's place while it has focus.
        let (runs, right) = body.splitLeft(width / 3)
        let (top, bottom) = right.splitTop(right.height * 6 / 10)
        let cols = bottom.columns(2)
        let maskHasFocus = focus == .mask
        return DashboardLayout(header: header, runs: runs, loss: maskHasFocus ? Rect(x: 0, y: 0, width: 0, height: 0) : top,
                               lr: cols[0], ema: cols[1], mask: maskHasFocus ? top : nil, throughput: nil,
                               status: status, keyBar: keyBar, compact: true)
    }

    public func rect(of pane: Pane) -> Rect? {
        switch pane {
        case .runs: runs
        case .loss: loss.isEmpty ? nil : loss
        case .lr: lr
        case .ema: ema
        case .mask: mask
        }
    }
}

public struct CompareLayout: Equatable, Sendable {
    public var header: Rect, runs: Rect, chart: Rect, table: Rect, status: Rect, keyBar: Rect

    /// The layout for the state: Table 3 (full width, below the list and chart) when its runs are ablations.
    public static func make(for s: AppState) -> CompareLayout? {
        make(width: s.width, height: s.height, table3: CompareScreen.showsTable3(s))
    }

    public static func make(width: Int, height: Int, table3: Bool = false) -> CompareLayout? {
        guard width >= LayoutLimits.minWidth, height >= LayoutLimits.minHeight else { return nil }
        let all = Rect(x: 0, y: 0, width: width, height: height)
        let (header, rest) = all.splitTop(1)
        let body = Rect(x: 0, y: rest.y, width: width, height: rest.height - 2)
        if table3 {
            let (top, table) = body.splitTop(body.height * 50 / 100)
            let (runs, chart) = top.splitLeft(min(40, width * 3 / 10))
            return CompareLayout(header: header, runs: runs, chart: chart, table: table,
                                 status: Rect(x: 0, y: height - 2, width: width, height: 1),
                                 keyBar: Rect(x: 0, y: height - 1, width: width, height: 1))
        }
        let (runs, right) = body.splitLeft(min(40, width * 3 / 10))
        let (chart, table) = right.splitTop(right.height * 55 / 100)
        return CompareLayout(header: header, runs: runs, chart: chart, table: table,
                             status: Rect(x: 0, y: height - 2, width: width, height: 1),
                             keyBar: Rect(x: 0, y: height - 1, width: width, height: 1))
    }
}

/// The plot area inside a bordered chart: y labels on the left, one row of x labels at the bottom.
public enum ChartGeometry {
    public static let yLabelWidth = 8
    public static func plot(in r: Rect) -> Rect {
        let inner = r.inset(1)
        return Rect(x: inner.x + yLabelWidth, y: inner.y, width: inner.width - yLabelWidth, height: inner.height - 1)
    }
    /// Braille dot columns of a chart: the `columns` a series request asks for.
    public static func dotColumns(in r: Rect) -> Int { max(0, plot(in: r).width * 2) }
}
