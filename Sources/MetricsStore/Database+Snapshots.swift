import Foundation
import RunCore

/// The crop boxes of a snapshot, stored as JSON in `snapshot.geometry`.
struct SnapshotGeometry: Codable {
    var view1: CropBox
    var view2: CropBox
}

// MARK: - Snapshots, checkpoints, probes (writes shared by StoreWriter and direct callers)
extension MetricsDatabase {
    static func insertSnapshot(_ c: Connection, runId: Int64, _ r: SnapshotRecord) throws {
        let geometry = String(decoding: try JSONEncoder().encode(SnapshotGeometry(view1: r.crop1, view2: r.crop2)), as: UTF8.self)
        let s = try c.statement("""
            INSERT OR REPLACE INTO snapshot (runId, step, viewWidth, viewHeight, viewChannels, view1, view2,
              sourceWidth, sourceHeight, sourceChannels, source, gridWidth, gridHeight, maskBits, geometry, sourceId, wallTime)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try s.bind([.int(runId), .int(Int64(r.step)), .int(Int64(r.viewWidth)), .int(Int64(r.viewHeight)),
                    .int(Int64(r.viewChannels)), .blob(r.view1), .blob(r.view2), .int(Int64(r.sourceWidth)),
                    .int(Int64(r.sourceHeight)), .int(Int64(r.sourceChannels)), .blob(r.source),
                    .int(Int64(r.gridWidth)), .int(Int64(r.gridHeight)), .blob(MaskBits.pack(r.mask)),
                    .text(geometry), .int(Int64(r.sourceId)), .double(r.wallTime)])
        try s.run()
    }

    static func insertCheckpoint(_ c: Connection, runId: Int64, step: Int, path: String, bytes: Int, wallTime: Double) throws {
        let s = try c.statement("INSERT INTO checkpoint (runId, step, path, bytes, wallTime) VALUES (?, ?, ?, ?, ?)")
        try s.bind([.int(runId), .int(Int64(step)), .text(path), .int(Int64(bytes)), .double(wallTime)])
        try s.run()
    }

    static func insertProbe(_ c: Connection, _ p: ProbeRecord) throws {
        let s = try c.statement("INSERT INTO probe (runId, step, linear, knn, protocol, wallTime) VALUES (?, ?, ?, ?, ?, ?)")
        try s.bind([.int(p.runId), .int(Int64(p.step)), p.linear.map { .double($0) } ?? .null,
                    p.knn.map { .double($0) } ?? .null, .text(p.protocolName), .double(p.wallTime)])
        try s.run()
    }

    /// Adds a probe row directly (e.g. `siamon probe RUN` on a finished run).
    public func addProbe(_ p: ProbeRecord) throws { try write { c in try Self.insertProbe(c, p) } }

    /// Adds an event directly (outside a StoreWriter).
    public func addEvent(runId: Int64, step: Int, _ event: RunEvent, wallTime: Double = Date().timeIntervalSince1970) throws {
        try write { c in
            try Self.insertEvent(c, runId: runId, step: step, wallTime: wallTime, kind: event.kind.rawValue, detail: event.detailJSON)
        }
    }

    /// Steps that have a snapshot, ascending.
    public func snapshotSteps(runId: Int64) throws -> [Int] {
        var out: [Int] = []
        try with { c in try c.rows("SELECT step FROM snapshot WHERE runId = ? ORDER BY step", [.int(runId)]) { s in out.append(Int(s.int(0))) } }
        return out
    }

    /// The snapshot at `step`, or nil.
    public func snapshot(runId: Int64, step: Int) throws -> SnapshotRecord? {
        var out: SnapshotRecord?
        try with { c in
            try c.rows("""
                SELECT step, viewWidth, viewHeight, viewChannels, view1, view2, sourceWidth, sourceHeight,
                       sourceChannels, source, gridWidth, gridHeight, maskBits, geometry, sourceId, wallTime
                FROM snapshot WHERE runId = ? AND step = ?
                """, [.int(runId), .int(Int64(step))], limit: 1) { s in
                let geo = try? JSONDecoder().decode(SnapshotGeometry.self, from: Data(s.text(13).utf8))
                let empty = CropBox(top: 0, left: 0, height: 0, width: 0, flipped: false)
                let gw = Int(s.int(10)), gh = Int(s.int(11))
                out = SnapshotRecord(step: Int(s.int(0)), viewWidth: Int(s.int(1)), viewHeight: Int(s.int(2)),
                                     viewChannels: Int(s.int(3)), view1: s.blob(4), view2: s.blob(5),
                                     sourceWidth: Int(s.int(6)), sourceHeight: Int(s.int(7)), sourceChannels: Int(s.int(8)),
                                     source: s.blob(9), gridWidth: gw, gridHeight: gh,
                                     mask: MaskBits.unpack(s.blob(12), count: gw * gh),
                                     crop1: geo?.view1 ?? empty, crop2: geo?.view2 ?? empty,
                                     sourceId: Int(s.int(14)), wallTime: s.double(15))
            }
        }
        return out
    }
}

/// Masks are stored 8 per byte, least significant bit first.
enum MaskBits {
    static func pack(_ mask: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: (mask.count + 7) / 8)
        for (i, m) in mask.enumerated() where m != 0 { out[i >> 3] |= 1 << UInt8(i & 7) }
        return out
    }

    static func unpack(_ bits: [UInt8], count: Int) -> [UInt8] {
        (0..<count).map { i in i >> 3 < bits.count ? (bits[i >> 3] >> UInt8(i & 7)) & 1 : 0 }
    }
}
