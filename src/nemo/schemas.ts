import { z } from 'zod';

// Response shapes of docs/nemo-contract.md. Every object is loose: the backend may add fields at any time, and only
// the fields we use are checked. Ids may come as numbers or strings, so they are coerced to strings.

const id = z.union([z.string(), z.number()]).transform(String);
const num = z.coerce.number();
const optStr = z.string().nullish();

/** Business envelope `{code, message, data}`; a missing `code` counts as success. */
export const businessEnvelope = z.looseObject({
  code: z.coerce.number().optional(),
  message: z.string().nullish(),
  msg: z.string().nullish(),
  data: z.unknown().optional(),
});

/** Render-proxy envelope `{success, data | error}`. */
export const renderEnvelope = z.looseObject({
  success: z.boolean(),
  data: z.unknown().optional(),
  error: z.unknown().optional(),
});

export const anonTokenData = z.looseObject({
  token: z.string().min(1),
  user_id: optStr,
  expires_at: z.union([z.string(), z.number()]).nullish(),
  credits: num.nullish(),
});

export const sessionData = z.looseObject({
  task_id: id,
  session_id: id,
  user_id: optStr,
});

export const creditsData = z.looseObject({
  available: num,
  frozen: num.nullish(),
  total: num.nullish(),
});

export const stateData = z.looseObject({
  user_id: optStr,
  state: z
    .looseObject({
      draft: z.looseObject({}).nullish(),
      video_infos: z.unknown().optional(),
      canvas_config: z.unknown().optional(),
      generated_media: z.unknown().optional(),
    })
    .nullish(),
});

const uploadedFile = z.looseObject({
  filename: optStr,
  name: optStr,
  file_type: optStr,
  cdn_url: optStr,
  url: optStr,
  duration: num.nullish(),
  width: num.nullish(),
  height: num.nullish(),
});
export type UploadedFileWire = z.infer<typeof uploadedFile>;

export const uploadData = z.looseObject({
  files: z.array(uploadedFile).nullish(),
  uploaded_files: z.array(uploadedFile).nullish(),
});

export const claimData = z.looseObject({ claim_token: z.string().min(1) });

/** Poll shape A (inside `data`) and shape B (top level) share this loose view. */
export const renderJob = z.looseObject({
  id: id.nullish(),
  taskId: id.nullish(),
  status: z.string(),
  progress: num.nullish(),
  outputUrl: optStr,
  output: z.looseObject({ url: optStr, duration: num.nullish(), size: num.nullish() }).nullish(),
  error: z.unknown().optional(),
});
export type RenderJobWire = z.infer<typeof renderJob>;
