// ncurses key codes and mouse events → TUI Key values.

import CNCursesW
import TUI

enum KeyMap {
    /// A function-key code from wget_wch (KEY_CODE_YES).
    static func function(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: .up
        case KEY_DOWN: .down
        case KEY_LEFT: .left
        case KEY_RIGHT: .right
        case KEY_HOME: .home
        case KEY_END: .end
        case KEY_PPAGE: .pageUp
        case KEY_NPAGE: .pageDown
        case KEY_BTAB: .backTab
        case KEY_ENTER: .enter
        case KEY_BACKSPACE: .backspace
        case KEY_DC: .delete
        case (KEY_F0 + 1)...(KEY_F0 + 12): .function(Int(code - KEY_F0))
        default: nil
        }
    }

    /// A character from wget_wch (OK): controls become named keys or Ctrl-letters.
    static func character(_ wc: UInt32) -> Key? {
        switch wc {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .ctrl(Character(Unicode.Scalar(wc + 96)!))
        case 0..<32: return nil
        default: return Unicode.Scalar(wc).map { .char(Character($0)) }
        }
    }

    static func mouse(_ e: MEVENT) -> Key? {
        let s = e.bstate
        if s & swc_button4_pressed() != 0 { return .wheelUp(x: Int(e.x), y: Int(e.y)) }
        if s & swc_button5_pressed() != 0 { return .wheelDown(x: Int(e.x), y: Int(e.y)) }
        if s & (swc_button1_pressed() | swc_button1_clicked()) != 0 { return .click(x: Int(e.x), y: Int(e.y)) }
        return nil
    }
}
