/**
 * Reads Server-Sent Events from body lines and yields each event's `data` (multi-line data joined with "\n").
 * Comments (":") and other fields (event, id, retry) are skipped: the chat APIs we speak put everything in data.
 */
export async function* readSseData(lines: AsyncIterable<string>): AsyncGenerator<string> {
  let data: string[] = [];
  for await (const line of lines) {
    if (line === '') {
      if (data.length > 0) yield data.join('\n');
      data = [];
    } else if (line.startsWith('data:')) {
      const value = line.slice(5);
      data.push(value.startsWith(' ') ? value.slice(1) : value);
    }
  }
  if (data.length > 0) yield data.join('\n');
}
