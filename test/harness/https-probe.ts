import https from 'node:https';

export interface ProbeResponse {
  status: number;
  body: string;
}

/** One GET against the API server with the admin token; used for readiness before any client exists. */
export async function httpsGet(url: string, ca: string, token: string): Promise<ProbeResponse> {
  return new Promise((resolve, reject) => {
    const request = https.get(url, { ca, headers: { Authorization: `Bearer ${token}` }, timeout: 5_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() });
      });
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${url} timed out`)));
    request.on('error', reject);
  });
}
