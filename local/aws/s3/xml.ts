import { escapeXml } from '#local/aws/protocols';
import { malformedXml } from '#local/aws/s3/errors';

/**
 * The REST-XML shapes of S3: answers rendered with S3's namespace and flattened lists (a list
 * is the element repeated, not wrapped in `<member>`), and a small strict parser for the few
 * request documents S3 takes (CreateBucketConfiguration, ServerSideEncryptionConfiguration,
 * CompleteMultipartUpload, Delete). The parser never resolves DTDs or external entities: a
 * DOCTYPE is refused outright.
 */
export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

export type XmlValue = string | number | boolean | Date | undefined | XmlValue[] | { [name: string]: XmlValue };

export function renderElement(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((item) => renderElement(name, item)).join('');
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (typeof value === 'object') {
    return `<${name}>${Object.entries(value).map(([child, childValue]) => renderElement(child, childValue)).join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** A whole answer document: `<?xml?>` and the root element in S3's namespace. */
export function renderDocument(root: string, children: Record<string, XmlValue>): string {
  const inner = Object.entries(children).map(([name, value]) => renderElement(name, value)).join('');
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

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAME = /^[A-Za-z_][\w.:-]*/;
const START_TAG = /<[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>/y;

/** Parses a request document; anything but well-formed XML is S3's MalformedXML. */
export function parseXml(text: string): XmlElement {
  let position = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;

  const fail = (): never => {
    throw malformedXml();
  };
  const skipMarkup = (open: string, close: string) => {
    const end = text.indexOf(close, position + open.length);
    if (end === -1) fail();
    position = end + close.length;
  };

  while (position < text.length) {
    const lt = text.indexOf('<', position);
    const textEnd = lt === -1 ? text.length : lt;
    if (textEnd > position) {
      const chunk = text.slice(position, textEnd);
      const current = stack[stack.length - 1];
      if (current) current.text += decodeEntities(chunk, fail);
      else if (chunk.trim() !== '') fail();
      position = textEnd;
      continue;
    }
    if (text.startsWith('<?', position)) skipMarkup('<?', '?>');
    else if (text.startsWith('<!--', position)) skipMarkup('<!--', '-->');
    else if (text.startsWith('<![CDATA[', position)) {
      const end = text.indexOf(']]>', position);
      const current = stack[stack.length - 1];
      if (end === -1 || !current) fail();
      (current as XmlElement).text += text.slice(position + 9, end);
      position = end + 3;
    } else if (text.startsWith('<!', position)) fail();
    else if (text.startsWith('</', position)) {
      const end = text.indexOf('>', position);
      const name = end === -1 ? '' : localName(text.slice(position + 2, end).trim());
      const closed = stack.pop();
      if (!closed || closed.name !== name) fail();
      position = end + 1;
    } else {
      // A start tag ends at the first `>` outside quoted attribute values.
      START_TAG.lastIndex = position;
      const match = START_TAG.exec(text);
      if (!match) fail();
      const end = position + (match as RegExpExecArray)[0].length - 1;
      const tag = text.slice(position + 1, end);
      const selfClosing = tag.endsWith('/');
      const nameMatch = NAME.exec(tag);
      if (!nameMatch) fail();
      const element: XmlElement = { name: localName((nameMatch as RegExpExecArray)[0]), children: [], text: '' };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element);
      else if (root) fail();
      else root = element;
      if (!selfClosing) stack.push(element);
      position = end + 1;
    }
  }
  if (!root || stack.length > 0) fail();
  return root as XmlElement;
}

function localName(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon === -1 ? qualified : qualified.slice(colon + 1);
}

function decodeEntities(chunk: string, fail: () => never): string {
  return chunk.replace(/&([^;]*);?/g, (match, entity: string) => {
    if (!match.endsWith(';')) fail();
    if (entity.startsWith('#x')) return codePoint(parseInt(entity.slice(2), 16), fail);
    if (entity.startsWith('#')) return codePoint(parseInt(entity.slice(1), 10), fail);
    return ENTITIES[entity] ?? fail();
  });
}

function codePoint(value: number, fail: () => never): string {
  if (!Number.isInteger(value) || value < 0 || value > 0x10ffff) fail();
  return String.fromCodePoint(value);
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
