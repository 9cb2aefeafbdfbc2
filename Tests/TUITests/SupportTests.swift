import Foundation
import Testing
import TestSupport
@testable import TUI

@Suite struct SnapshotHelperTests {
    /// A missing baseline is recorded AND fails; the same text then passes; different text fails with a diff.
    @Test func recordsFailsThenCompares() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("snap-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fakeTest = dir.appendingPathComponent("FakeTests.swift").path
        withKnownIssue { assertSnapshot("a\nb\n", named: "s", filePath: fakeTest) }
        let written = try String(contentsOf: dir.appendingPathComponent("Snapshots/s.txt"), encoding: .utf8)
        #expect(written == "a\nb\n")
        assertSnapshot("a\nb\n", named: "s", filePath: fakeTest)
        withKnownIssue { assertSnapshot("a\nc\n", named: "s", filePath: fakeTest) }
        #expect(lineDiff("a\nb\n", "a\nc\n") == "  2 - b\n  2 + c")
    }
}

@Suite struct ColorQuantizerTests {
    @Test func xterm256PicksTheCubeOrTheGreyRamp() {
        // xterm-256: 16 + 36r + 6g + b over levels {0,95,135,175,215,255}; 232…255 are greys 8, 18, …, 238.
        #expect(ColorQuantizer.xterm256(RGB(255, 0, 0)) == 196)
        #expect(ColorQuantizer.xterm256(RGB(255, 255, 255)) == 231)
        #expect(ColorQuantizer.xterm256(RGB(0, 0, 0)) == 16)
        #expect(ColorQuantizer.xterm256(RGB(128, 128, 128)) == 244)      // grey 128 exactly
        #expect(ColorQuantizer.xterm256(RGB(0, 95, 135)) == 24)          // 16 + 0 + 6·1 + 2
    }

    @Test func basic8AndDirect() {
        #expect(ColorQuantizer.basic8(RGB(200, 10, 10)) == 1)
        #expect(ColorQuantizer.basic8(RGB(10, 10, 230)) == 4)
        #expect(ColorQuantizer.basic8(RGB(250, 250, 250)) == 7)
        #expect(ColorQuantizer.direct(RGB(0x12, 0x34, 0x56)) == 0x123456)
    }
}

@Suite struct ScreenBufferTests {
    @Test func putClipsAndReplacesWideCharacters() {
        var b = ScreenBuffer(width: 6, height: 1, fill: Cell("x"))
        let used = b.put("a漢b😀cdef", x: 1, y: 0, maxWidth: 4)
        #expect(used == 4)
        #expect(b.lines == ["xa?b?x"])
    }

    @Test func diffListsOnlyChangedCells() {
        var a = ScreenBuffer(width: 4, height: 2)
        var b = a
        b.set(1, 1, "z")
        b.set(3, 0, " ", Style(.hiFg))          // same char, new colour: still a change
        #expect(b.changedCells(since: a) == [3, 5])
        a = ScreenBuffer(width: 3, height: 2)
        #expect(b.changedCells(since: a).count == 8)   // size changed: everything
        #expect(b.changedCells(since: nil).count == 8)
    }

    @Test func styleMapsUseRoleLetters() {
        var b = ScreenBuffer(width: 3, height: 1)
        b.set(0, 0, "a", Style(fg: .role(.loss), bg: .rgb(RGB(1, 2, 3))))
        b.set(1, 0, "b", Style(fg: .terminalDefault))
        #expect(b.styleMap == [String([ThemeRole.loss.letter, ".", ThemeRole.mainFg.letter])])
        #expect(b.bgMap == [String(["#", ThemeRole.mainBg.letter, ThemeRole.mainBg.letter])])
        #expect(Set(ThemeRole.allCases.map(\.letter)).count == ThemeRole.allCases.count)
    }
}
