// RGB → terminal colour numbers for terminals without direct colour. Pure, so it is tested here; the curses
// backend only calls it.

public enum ColorQuantizer {
    static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]

    /// The nearest xterm-256 colour among the 6×6×6 cube (16…231) and the grey ramp (232…255).
    public static func xterm256(_ c: RGB) -> Int {
        func nearestLevel(_ v: UInt8) -> Int {
            var best = 0
            for i in 1..<6 where abs(cubeLevels[i] - Int(v)) < abs(cubeLevels[best] - Int(v)) { best = i }
            return best
        }
        let (ri, gi, bi) = (nearestLevel(c.r), nearestLevel(c.g), nearestLevel(c.b))
        let cube = RGB(UInt8(cubeLevels[ri]), UInt8(cubeLevels[gi]), UInt8(cubeLevels[bi]))
        let avg = (Int(c.r) + Int(c.g) + Int(c.b)) / 3
        let grayIndex = max(0, min(23, (avg - 8 + 5) / 10))
        let grayLevel = UInt8(8 + grayIndex * 10)
        let gray = RGB(gray: grayLevel)
        return distance(c, gray) < distance(c, cube) ? 232 + grayIndex : 16 + 36 * ri + 6 * gi + bi
    }

    /// The nearest of the 8 basic ANSI colours (black, red, green, yellow, blue, magenta, cyan, white).
    public static func basic8(_ c: RGB) -> Int {
        let basics = [RGB(0, 0, 0), RGB(205, 0, 0), RGB(0, 205, 0), RGB(205, 205, 0), RGB(0, 0, 238), RGB(205, 0, 205),
                      RGB(0, 205, 205), RGB(229, 229, 229)]
        var best = 0
        for i in 1..<8 where distance(c, basics[i]) < distance(c, basics[best]) { best = i }
        return best
    }

    /// 24-bit packed colour number for direct-colour terminals (terminfo with RGB, COLORS = 2^24).
    public static func direct(_ c: RGB) -> Int { Int(c.r) << 16 | Int(c.g) << 8 | Int(c.b) }

    static func distance(_ a: RGB, _ b: RGB) -> Int {
        let dr = Int(a.r) - Int(b.r), dg = Int(a.g) - Int(b.g), db = Int(a.b) - Int(b.b)
        return 2 * dr * dr + 4 * dg * dg + 3 * db * db
    }
}
