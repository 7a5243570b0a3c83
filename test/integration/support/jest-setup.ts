// Integration tests wait for real processes to converge: allow minutes, not jest's default 5 s.
import { jest } from '@jest/globals';

jest.setTimeout(120_000);
