/** Reading a whole request body, up to a limit the caller sets (the S3 bodies that stream never come here). */
import { AwsError } from '#endpoint/contract';

export async function collect(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > limit)
      throw new AwsError('RequestEntityTooLarge', `The request body is larger than ${limit} bytes.`, 413);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
