/**
 * Lambda (Cognito's pre token generation trigger): a privileged group (admin, finance, approver)
 * goes into a token only for a user with a second factor activated (domain/sign-in/second-factor.ts).
 * Most people hold no privileged group, and their sign-in costs no call to Cognito.
 */
import { AdminGetUserCommand, CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import middy from "@middy/core";
import type { PreTokenGenerationTriggerEvent } from "aws-lambda";
import { groupsToGrant, needsSecondFactor } from "../../domain/sign-in/index.ts";
import { createLogger, observe, tracer } from "../http/log.ts";

const log = createLogger("second-factor");
// COGNITO_ENDPOINT points the client at a local stand-in in tests; in Lambda the region's endpoint.
const cognito = tracer.captureAWSv3Client(
  new CognitoIdentityProviderClient(process.env.COGNITO_ENDPOINT ? { endpoint: process.env.COGNITO_ENDPOINT } : {}),
);

/** Second factors Cognito asks an activated user for at every sign-in (this pool tracks no devices). */
const secondFactors = ["SOFTWARE_TOKEN_MFA", "SMS_MFA", "EMAIL_OTP"];

async function guard(event: PreTokenGenerationTriggerEvent): Promise<PreTokenGenerationTriggerEvent> {
  const groups = event.request.groupConfiguration.groupsToOverride ?? [];
  if (!needsSecondFactor(groups)) return event;
  const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: event.userPoolId, Username: event.userName }));
  const hasSecondFactor = (user.UserMFASettingList ?? []).some((factor) => secondFactors.includes(factor));
  const granted = groupsToGrant(groups, hasSecondFactor);
  if (granted.length === groups.length) return event;
  log.warn("privileged groups left out of a token: no second factor", {
    personId: event.userName,
    withheld: groups.filter((g) => !granted.includes(g)).join(","),
  });
  event.response.claimsOverrideDetails = { ...event.response.claimsOverrideDetails, groupOverrideDetails: { groupsToOverride: granted } };
  return event;
}

export const handler = middy<PreTokenGenerationTriggerEvent, PreTokenGenerationTriggerEvent>().use(observe(log)).handler(guard);
