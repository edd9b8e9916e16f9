import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An SVG document parsed as XML (a parse failure fails the test): its elements in order,
/// with their attributes and the text of their `<title>` children.
final class ParsedSVG: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        var title = ""
        var text = ""
        var classes: Set<String> { Set((attributes["class"] ?? "").split(separator: " ").map(String.init)) }
    }

    private(set) var elements = [Element]()
    private var stack = [Int]()
    private(set) var error: Error?

    init(_ svg: String) {
        super.init()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = self
        if !parser.parse() { error = parser.parserError ?? NSError(domain: "svg", code: 1) }
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append(Element(name: name, attributes: attributes))
        stack.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        let index = stack.removeLast()
        // A <title> names its parent.
        if name == "title", let parent = stack.last { elements[parent].title = elements[index].text }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let index = stack.last { elements[index].text += string }
    }

    func withClass(_ name: String) -> [Element] { elements.filter { $0.classes.contains(name) } }
}
