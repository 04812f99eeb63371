import CYaml
import Foundation

/// Limits a YAML input is held to before it is composed into nodes, read from libyaml's
/// event stream (the parser Yams is built on, reached through its C module).
///
/// Aliases make a small file stand for a huge tree: nine nested anchors of nine aliases
/// each are a billion nodes, and Yams hashes every mapping key it composes, so an alias
/// used as a key costs the whole expansion. Here each node's expanded size is counted as
/// the events go by (an alias counts what its anchor stood for), so the check itself
/// stays linear in the file.
package enum YAMLLimits {
    /// The most nodes a file may stand for, aliases expanded: a large activity file has a
    /// few hundred.
    package static let maximumNodes = 100_000
    /// The deepest nesting of mappings and sequences: a layout file uses six.
    package static let maximumDepth = 64

    /// The first limit `text` breaks, as a problem with its line; nil when it keeps them all
    /// or is not well-formed (Yams then says why it cannot be parsed).
    package static func violation(in text: String) -> (line: Int, message: String, hint: String)? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer -> (line: Int, message: String, hint: String)? in
            guard let base = buffer.baseAddress else { return nil }
            yaml_parser_set_input_string(&parser, base, buffer.count)
            return scan(&parser)
        }
    }

    /// One open mapping or sequence: the nodes counted inside it so far and, for a mapping,
    /// whether the next node is a key.
    private struct Frame {
        var size = 1
        var anchor: String?
        var isMapping: Bool
        var expectsKey: Bool
    }

    private static func scan(_ parser: inout yaml_parser_t) -> (line: Int, message: String, hint: String)? {
        var stack: [Frame] = []
        var anchors: [String: Int] = [:]
        var total = 0
        let aliasHint = "write the value out in full, or use fewer nested anchors and aliases"

        /// A node of `size` nodes is complete: it is counted in its parent, or is a root.
        func add(_ size: Int, line: Int, isCollectionOrAlias: Bool) -> (line: Int, message: String, hint: String)? {
            if var parent = stack.popLast() {
                if parent.isMapping {
                    if parent.expectsKey, isCollectionOrAlias {
                        return (line, "a mapping key is a list, a mapping or an alias", "write every key as plain text, such as `title:`")
                    }
                    parent.expectsKey.toggle()
                }
                parent.size = min(parent.size + size, maximumNodes + 1)
                stack.append(parent)
                if parent.size > maximumNodes {
                    return (line, "the file stands for more than \(maximumNodes) values once its aliases are expanded", aliasHint)
                }
            } else {
                total = min(total + size, maximumNodes + 1)
                if total > maximumNodes {
                    return (line, "the file stands for more than \(maximumNodes) values once its aliases are expanded", aliasHint)
                }
            }
            return nil
        }

        func anchorName(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
        }

        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
            defer { yaml_event_delete(&event) }
            let line = Int(event.start_mark.line) + 1
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return nil
            case YAML_SCALAR_EVENT:
                if let anchor = anchorName(event.data.scalar.anchor) { anchors[anchor] = 1 }
                if let problem = add(1, line: line, isCollectionOrAlias: false) { return problem }
            case YAML_ALIAS_EVENT:
                // An unknown alias is Yams' to report.
                let size = anchorName(event.data.alias.anchor).flatMap { anchors[$0] } ?? 1
                if let problem = add(size, line: line, isCollectionOrAlias: true) { return problem }
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                if let parent = stack.last, parent.isMapping, parent.expectsKey {
                    return (line, "a mapping key is a list, a mapping or an alias", "write every key as plain text, such as `title:`")
                }
                let anchor = anchorName(isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor)
                stack.append(Frame(anchor: anchor, isMapping: isMapping, expectsKey: isMapping))
                if stack.count > maximumDepth {
                    return (line, "the file nests lists and mappings more than \(maximumDepth) deep", "flatten the file: CreditPress's inputs need a few levels")
                }
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = stack.popLast() else { return nil }
                if let anchor = frame.anchor { anchors[anchor] = frame.size }
                // The parent sees a collection, which as a key was refused at its start.
                if let problem = add(frame.size, line: line, isCollectionOrAlias: false) { return problem }
            default:
                break
            }
        }
    }
}
