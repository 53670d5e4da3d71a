/**
 * The REST-XML shapes of S3: answers rendered (by protocols.ts's renderXml) with S3's namespace
 * and flattened lists (a list is the element repeated, not wrapped in `<member>`), and the reading
 * of the few request documents S3 takes (CreateBucketConfiguration,
 * ServerSideEncryptionConfiguration, CompleteMultipartUpload, Delete) with fast-xml-parser. No DTD
 * is ever read: a DOCTYPE that declares entities is refused, as are references to undeclared ones.
 */
import { XMLParser, XMLValidator, type EntityDecoderOptions } from 'fast-xml-parser';
import { renderXml, type XmlValue } from '#endpoint/protocols';
import { malformedXml } from '#endpoint/s3/errors';

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** A whole answer document: `<?xml?>` and the root element in S3's namespace, lists flattened. */
export function renderDocument(root: string, children: Record<string, XmlValue>): string {
  const inner = Object.entries(children)
    .map(([name, value]) => renderXml(name, value, 'flat'))
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_NAMESPACE}">${inner}</${root}>`;
}

export interface XmlElement {
  /** Local name, namespace prefix removed. */
  name: string;
  children: XmlElement[];
  text: string;
}

export function childElement(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((child) => child.name === name);
}

export function childElements(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}

export function childText(element: XmlElement, name: string): string | undefined {
  return childElement(element, name)?.text;
}

const TEXT = '#text';
const CDATA = '#cdata';

/**
 * Request documents are checked by fast-xml-parser's validator (well-formedness) and read by its
 * parser in document order. Entities go through xmlEntities below: the five XML ones and
 * character references are decoded; any other reference, and any DOCTYPE, make the document
 * MalformedXML, so no DTD is ever read and no external entity resolved.
 */
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: CDATA,
  entityDecoder: xmlEntities(),
});

/** Parses a request document; anything but well-formed XML is S3's MalformedXML. */
export function parseXml(text: string): XmlElement {
  if (XMLValidator.validate(text) !== true) throw malformedXml();
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(text) as OrderedNode[];
  } catch {
    throw malformedXml();
  }
  const roots = nodes.map(toElement).filter((node): node is XmlElement => typeof node !== 'string');
  if (roots.length !== 1 || !roots[0]) throw malformedXml();
  return roots[0];
}

/** One node of fast-xml-parser's ordered output: `{ tag: [children] }` or `{ '#text': text }`. */
type OrderedNode = Record<string, OrderedNode[] | string>;

function toElement(node: OrderedNode): XmlElement | string {
  const name = Object.keys(node).find((key) => key !== ':@');
  if (name === undefined) return '';
  const content = node[name];
  if (name === TEXT) return String(content);
  const children = (Array.isArray(content) ? content : []).map(toElement);
  if (name === CDATA) return children.filter((child) => typeof child === 'string').join('');
  return {
    name,
    children: children.filter((child): child is XmlElement => typeof child !== 'string'),
    text: children.filter((child): child is string => typeof child === 'string').join(''),
  };
}

/** The predefined XML entities and character references; anything else is refused. */
function xmlEntities(): EntityDecoderOptions {
  // The parser hands a DOCTYPE's declarations to addInputEntities: its being called at all means a DTD.
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  const refuse = (): never => {
    throw malformedXml();
  };
  return {
    setExternalEntities: refuse,
    addInputEntities: refuse,
    reset: () => undefined,
    setXmlVersion: () => undefined,
    decode: (text) =>
      text.replace(/&([^;&]*);/g, (_match, entity: string) => {
        const code = /^#x[0-9a-f]+$/i.test(entity)
          ? parseInt(entity.slice(2), 16)
          : /^#\d+$/.test(entity)
            ? parseInt(entity.slice(1), 10)
            : undefined;
        if (code === undefined) return named[entity] ?? refuse();
        return code <= 0x10ffff ? String.fromCodePoint(code) : refuse();
      }),
  };
}

/** Reads a small request document from the decoded body, refusing bodies larger than `limit`. */
export async function readXmlBody(body: NodeJS.ReadableStream, limit = 1024 * 1024): Promise<XmlElement | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > limit) throw malformedXml();
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text.trim() === '' ? undefined : parseXml(text);
}
