import Foundation

/// What the incremental update adds besides the signature: accessibility facts Cairo
/// cannot write (the document language, alternative text of figures).
public struct PDFAccessibility: Sendable {
    /// BCP 47 language of the document, `/Lang` in the catalog.
    public var language: String
    /// Alternative text for the tagged figures, in drawing order.
    public var figureAlternatives: [String]

    public init(language: String = "en-US", figureAlternatives: [String] = []) {
        self.language = language
        self.figureAlternatives = figureAlternatives
    }
}

/// Finishes a PDF Cairo wrote: puts in prepared artwork and adds the accessibility facts
/// and document information entries; `PDFSigner` adds a signature in the same revision. A
/// file straight from Cairo is written anew as a single revision; any other gets an
/// incremental update, its earlier bytes left as they were.
package enum PDFFinisher {
    /// The finished, unsigned PDF.
    package static func finish(_ pdf: [UInt8], forms: [PreparedForm.Placement] = [], accessibility: PDFAccessibility,
                               info: [String: String] = [:]) throws -> [UInt8] {
        var (update, catalogEntries) = try self.update(pdf, forms: forms, accessibility: accessibility, info: info)
        try update.replace(update.base.root, with: PDFDictionary.adding(catalogEntries, to: update.base.object(update.base.root)))
        return update.serialize().bytes
    }

    /// The update with the forms, figures' alternative text and information entries in, and
    /// the catalog entries still to be written (a signature adds its own to them).
    package static func update(_ pdf: [UInt8], forms: [PreparedForm.Placement], accessibility: PDFAccessibility,
                               info: [String: String]) throws -> (PDFUpdate, catalogEntries: String) {
        var update = try PDFUpdate(base: PDFIndex(pdf))
        try PreparedForm.place(forms, in: &update)
        let catalogEntries = "/Lang \(PDFText.string(accessibility.language))"
        try addAlternatives(accessibility.figureAlternatives, to: &update)
        if !info.isEmpty, let infoNumber = update.base.info {
            let entries = info.sorted { $0.key < $1.key }.map { "/\($0.key) \(PDFText.string($0.value))" }.joined(separator: "\n")
            try update.replace(infoNumber, with: PDFDictionary.adding(entries, to: update.base.object(infoNumber)))
        }
        return (update, catalogEntries)
    }

    /// Writes each alternative text into the tagged figures, in the order they were drawn.
    /// The figures are found by their `/S /Figure` entries in one pass over the file, not by
    /// reading every object.
    private static func addAlternatives(_ alternatives: [String], to update: inout PDFUpdate) throws {
        guard !alternatives.isEmpty else { return }
        let starts = update.base.offsets.sorted { $0.value < $1.value }
        var figures: [Int] = []
        var position = 0
        let needle = Array("/S /Figure".utf8)
        while let found = PDFIndex.firstRange(of: needle, in: update.base.bytes, from: position, limit: update.base.bytes.count) {
            position = found + needle.count
            // The object holding it: the last one starting before it.
            var low = 0, high = starts.count - 1, owner: Int?
            while low <= high {
                let middle = (low + high) / 2
                if starts[middle].value <= found { owner = starts[middle].key; low = middle + 1 } else { high = middle - 1 }
            }
            if let owner, !figures.contains(owner) { figures.append(owner) }
        }
        for (number, alternative) in zip(figures.sorted(), alternatives) {
            let text = try update.base.object(number)
            guard PDFDictionary.name("Type", in: text) == "StructElem", !text.contains("/Alt") else { continue }
            try update.replace(number, with: PDFDictionary.adding("/Alt \(PDFText.string(alternative))", to: text))
        }
    }
}
