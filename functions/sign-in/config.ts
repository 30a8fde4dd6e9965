/**
 * The token service's settings; its secrets are read as every secret is
 * (functions/secrets/cached-secret.ts). Without an issuer the stage signs people in elsewhere
 * (Cognito, OIDC).
 */

/** The issuer of Laurel's tokens (the API's own https origin), when this stage runs the token service. */
export const tokenIssuer = (env = process.env): string | undefined => env.TOKEN_ISSUER;

/** Where DingTalk's JSAPI (dd.runtime.permission.requestAuthCode) is served from: the page loads it inside DingTalk only. */
export const dingtalkJsapiOrigin = "https://g.alicdn.com";
