import CreditRecords
import Foundation
import Yams

/// `extends: physician-cme`: a layout that takes another's design and changes a part.
///
/// The parent is named without `.yaml`: a layout file beside the child's, else a bundled
/// one (`Templates/certificates/`), so a layout kept anywhere can extend a bundled one.
/// The child's fields are merged onto the parent's: a mapping (`page`, `defaults`, a
/// block's `style`) field by field, `blocks` and `images` entry by entry matched by `id`
/// (an image's `id` is its `source` unless given), other lists (`frame`, `rules`) whole.
/// An entry with `remove: true` takes the parent's entry of that id away; entries with new
/// ids are added at the end. A block given a new position (`top`, `bottom` or `below`)
/// loses the parent's.
package enum LayoutInheritance {
    /// The layout at `url` merged onto the layouts it extends; `files` gets every file read.
    package static func load(_ url: URL, bundled: URL? = nil, depth: Int = 0, files: inout [URL]) throws(InputError) -> InputDocument {
        let document = try InputDocument.load(url)
        files.append(url)
        guard let parentName = document.root.mapping?.first(where: { $0.key.scalar?.string == "extends" })?.value.scalar?.string else {
            return document.root.mapping == nil ? document : InputDocument(
                file: document.file, directory: document.directory, root: dropRemoved(document.root),
                contentDigest: document.contentDigest)
        }
        guard depth < 8 else {
            throw InputError([Problem(file: document.file, field: "extends", message: "layouts extend each other in a loop")])
        }
        let candidates = [url.deletingLastPathComponent()] + (bundled.map { [$0] } ?? [])
        let found = candidates.map { $0.appendingPathComponent("\(parentName).yaml") }
            .first { $0.standardizedFileURL != url.standardizedFileURL && FileManager.default.fileExists(atPath: $0.path) }
        guard let parentURL = found else {
            let known = bundled.flatMap { try? FileManager.default.contentsOfDirectory(atPath: $0.path) }?
                .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted() ?? []
            throw InputError([Problem(file: document.file, line: nil,
                                      field: "extends", message: "there is no layout '\(parentName)' to extend",
                                      hint: "name a layout file beside this one, without .yaml" + (known.isEmpty ? "" : ", or a bundled one: \(known.joined(separator: ", "))"))])
        }
        let parent = try load(parentURL, bundled: bundled, depth: depth + 1, files: &files)
        return InputDocument(file: "\(document.file) (extends \(parentName))", directory: document.directory,
                             root: dropRemoved(merge(parent: parent.root, child: document.root, path: [])),
                             contentDigest: Hex.sha256(Array((document.contentDigest + parent.contentDigest).utf8)))
    }

    private static func name(_ node: Node) -> String? { node.scalar?.string }

    private static let placementKeys: Set<String> = ["top", "bottom", "below"]

    /// `child` onto `parent`: mappings field by field, `blocks` and `images` by id.
    private static func merge(parent: Node, child: Node, path: [String]) -> Node {
        guard var pairs = parent.mapping.map({ Array($0) }), let childPairs = child.mapping else { return child }
        pairs.removeAll { name($0.key) == "extends" }
        let isBlock = path.last == "blocks"
        if isBlock, childPairs.contains(where: { placementKeys.contains(name($0.key) ?? "") }) {
            pairs.removeAll { placementKeys.contains(name($0.key) ?? "") || name($0.key) == "gap" }
        }
        for (key, value) in childPairs where name(key) != "extends" {
            guard let field = name(key) else { continue }
            let existing = pairs.firstIndex { name($0.key) == field }
            let merged: Node
            if let existing, path.isEmpty, ["blocks", "images"].contains(field) {
                merged = mergeList(parent: pairs[existing].value, child: value, list: field)
            } else if let existing, pairs[existing].value.mapping != nil, value.mapping != nil {
                merged = merge(parent: pairs[existing].value, child: value, path: path + [field])
            } else {
                merged = value
            }
            if let existing {
                pairs[existing] = (key, merged)
            } else {
                pairs.append((key, merged))
            }
        }
        return Node(pairs.map { ($0.key, $0.value) }, child.tag, .block)
    }

    private static func entryID(_ entry: Node, list: String) -> String? {
        let fields = entry.mapping
        return fields?.first { $0.key.scalar?.string == "id" }?.value.scalar?.string
            ?? (list == "images" ? fields?.first { $0.key.scalar?.string == "source" }?.value.scalar?.string : nil)
    }

    private static func mergeList(parent: Node, child: Node, list: String) -> Node {
        guard case .sequence(let parentEntries) = parent, case .sequence(let childEntries) = child else { return child }
        var entries = Array(parentEntries)
        for entry in childEntries {
            if let id = entryID(entry, list: list), let index = entries.firstIndex(where: { entryID($0, list: list) == id }) {
                entries[index] = isRemoval(entry) ? entry : merge(parent: entries[index], child: entry, path: [list])
            } else {
                entries.append(entry)
            }
        }
        return Node(entries, child.tag, .block)
    }

    private static func isRemoval(_ entry: Node) -> Bool {
        entry.mapping?.first { $0.key.scalar?.string == "remove" }?.value.bool == true
    }

    /// The layout without the `blocks` and `images` entries marked `remove: true`.
    private static func dropRemoved(_ root: Node) -> Node {
        guard let pairs = root.mapping, pairs.contains(where: { key, value in
            ["blocks", "images"].contains(name(key) ?? "") && value.sequence?.contains(where: isRemoval) == true
        }) else { return root }
        let kept = pairs.map { key, value -> (Node, Node) in
            guard ["blocks", "images"].contains(name(key) ?? ""), case .sequence(let entries) = value else { return (key, value) }
            return (key, Node(entries.filter { !isRemoval($0) }, value.tag, .block))
        }
        return Node(kept, root.tag, .block)
    }
}
