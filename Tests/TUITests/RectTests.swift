import Testing
@testable import TUI

@Suite struct RectTests {
    @Test func columnsCoverTheWidthExactly() {
        let cols = Rect(x: 3, y: 0, width: 10, height: 2).columns(3)
        #expect(cols.map(\.width) == [3, 3, 4])
        #expect(cols.map(\.x) == [3, 6, 9])
    }
}
