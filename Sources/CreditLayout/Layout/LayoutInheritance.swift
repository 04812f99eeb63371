import CreditRecords
import Foundation
import Yams

/// `extends: base/letter-landscape`: a layout that takes another's design and changes a part.
///
/// The child's top-level fields replace the parent's; its `blocks` are matched to the
/// parent's by `id` (the child's fields win) and blocks with new ids are added at the end.
package enum LayoutInheritance {
    /// The layout at `url` merged onto the layouts it extends; `files` gets every file read.
    package static func load(_ url: URL, depth: Int = 0, files: inout [URL]) throws(InputError) -> InputDocument {
        let document = try InputDocument.load(url)
        files.append(url)
        guard let parentName = document.root.mapping?.first(where: { $0.key.scalar?.string == "extends" })?.value.scalar?.string else {
            return document
        }
        let parentURL = url.deletingLastPathComponent().appendingPathComponent("\(parentName).yaml")
        guard depth < 8 else {
            throw InputError([Problem(file: document.file, field: "extends", message: "layouts extend each other in a loop")])
        }
        guard FileManager.default.fileExists(atPath: parentURL.path) else {
            throw InputError([Problem(file: document.file, line: nil,
                                      field: "extends", message: "there is no layout '\(parentName)' to extend",
                                      hint: "name a layout file beside this one, without .yaml")])
        }
        let parent = try load(parentURL, depth: depth + 1, files: &files)
        return InputDocument(file: "\(document.file) (extends \(parentName))", directory: document.directory,
                             root: merge(parent: parent.root, child: document.root),
                             contentDigest: Hex.sha256(Array((document.contentDigest + parent.contentDigest).utf8)))
    }

    private static func merge(parent: Node, child: Node) -> Node {
        guard var pairs = parent.mapping.map({ Array($0) }), let childPairs = child.mapping else { return child }
        func name(_ node: Node) -> String? { node.scalar?.string }
        pairs.removeAll { name($0.key) == "extends" }
        for (key, value) in childPairs where name(key) != "extends" {
            let merged = name(key) == "blocks" ? mergeBlocks(parent: pairs.first { name($0.key) == name(key) }?.value, child: value) : value
            if let index = pairs.firstIndex(where: { name($0.key) == name(key) }) {
                pairs[index] = (key, merged)
            } else {
                pairs.append((key, merged))
            }
        }
        return Node(pairs.map { ($0.key, $0.value) }, child.tag, .block)
    }

    private static func blockID(_ block: Node) -> String? {
        block.mapping?.first { $0.key.scalar?.string == "id" }?.value.scalar?.string
    }

    private static func mergeBlocks(parent: Node?, child: Node) -> Node {
        guard case .sequence(let parentBlocks)? = parent, case .sequence(let childBlocks) = child else { return child }
        var blocks = Array(parentBlocks)
        for block in childBlocks {
            if let id = blockID(block), let index = blocks.firstIndex(where: { blockID($0) == id }) {
                blocks[index] = merge(parent: blocks[index], child: block)
            } else {
                blocks.append(block)
            }
        }
        return Node(blocks, child.tag, .block)
    }
}
